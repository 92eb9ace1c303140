import type { Identity, Target } from '../../core/events/types.js';
import type { VerifiedIdentity } from '../../core/identity/index.js';
import type { ConnectionConfig } from '../../core/config/index.js';

export type PostgresConnection = Extract<ConnectionConfig, { protocol: 'postgres' }>;

/** The identity as recorded: subject, issuer, groups, roles and the claims as JSON (never the token). */
export function recordedIdentity(identity: VerifiedIdentity, roles: readonly string[]): Identity {
  return {
    subject: identity.subject,
    issuer: identity.issuer,
    groups: [...identity.groups],
    roles: [...roles],
    claimsJson: JSON.stringify(identity.claims),
  };
}

/** The target as recorded: where the gateway connects and as whom. */
export function recordedTarget(name: string, conn: PostgresConnection): Target {
  return { connection: name, protocol: 'POSTGRES', host: conn.host, port: conn.port, database: conn.database, user: conn.upstream.user };
}

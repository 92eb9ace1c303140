import type { ConnectionConfig, RoleConfig } from '../config/index.js';
import { compileGlob, printable, type VerifiedIdentity } from '../identity/index.js';
import { compileRoleMatcher, type IdentityPredicate } from './role-matcher.js';
import type { Denial, Grant, Policy, RecordingMode } from './types.js';

/** The parts of the configuration policy needs. */
export interface PolicyInput {
  roles: Readonly<Record<string, RoleConfig>>;
  connections: Readonly<Record<string, Pick<ConnectionConfig, 'recording'>>>;
}

interface RoleGrant {
  guardrails: ReadonlySet<string>;
  masking: ReadonlySet<string>;
  recording: RecordingMode | undefined;
}

interface CompiledRole {
  name: string;
  matches: IdentityPredicate;
  audit: boolean;
  /** Connection name -> what this role grants on it; absent means no grant. */
  grants: ReadonlyMap<string, RoleGrant>;
}

/**
 * Compiles roles into lookup tables: connection globs are expanded against the configured
 * connections here, so authorize() does Map lookups only.
 *
 * Combination rule when several matched roles grant the same connection: access is granted, and
 * the guardrail and masking profiles of all of them apply (union), and the strictest recording
 * mode wins. Adding a role can therefore add restrictions but never remove one a matched role
 * imposes; a too-strict result is visible and fixable, a silently dropped guardrail is not.
 */
export function compilePolicy(input: PolicyInput): Policy {
  const connections = new Map<string, RecordingMode>();
  for (const [name, conn] of Object.entries(input.connections)) connections.set(name, conn.recording.mode);
  const warnings: string[] = [];
  const roles: CompiledRole[] = Object.entries(input.roles)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, role]) => ({
      name,
      matches: compileRoleMatcher(role.match),
      audit: role.audit,
      grants: expandGrants(name, role, [...connections.keys()], warnings),
    }));

  const rolesFor = (identity: VerifiedIdentity): CompiledRole[] => roles.filter((r) => r.matches(identity));

  return {
    warnings,
    rolesFor: (identity) => rolesFor(identity).map((r) => r.name),
    canAudit: (identity) => rolesFor(identity).some((r) => r.audit),
    authorize: (identity, connection) => {
      const matched = rolesFor(identity);
      const mode = connections.get(connection);
      // The name comes from the client (a database name, a host): it must not break the audit line.
      if (mode === undefined) return deny(connection, matched, `connection "${printable(connection, 80)}" is not configured`);
      const granting = matched.filter((r) => r.grants.has(connection));
      if (granting.length === 0) {
        const why = matched.length === 0
          ? `no role matches ${printable(String(identity.subject))} from ${printable(String(identity.issuer))}`
          : `roles ${matched.map((r) => r.name).join(', ')} grant no access to "${connection}"`;
        return deny(connection, matched, why);
      }
      return combine(connection, mode, granting);
    },
  };
}

function expandGrants(roleName: string, role: RoleConfig, connectionNames: string[], warnings: string[]): Map<string, RoleGrant> {
  const out = new Map<string, { guardrails: Set<string>; masking: Set<string>; recording: RecordingMode | undefined }>();
  role.grants.forEach((grant, i) => {
    for (const pattern of grant.connections) {
      const re = compileGlob(pattern);
      const hits = connectionNames.filter((c) => re.test(c));
      if (hits.length === 0) warnings.push(`roles.${roleName}.grants.${i}: "${pattern}" matches no configured connection`);
      for (const conn of hits) {
        const entry = out.get(conn) ?? { guardrails: new Set<string>(), masking: new Set<string>(), recording: undefined };
        grant.guardrails.forEach((g) => entry.guardrails.add(g));
        grant.masking.forEach((m) => entry.masking.add(m));
        entry.recording = stricter(entry.recording, grant.recording);
        out.set(conn, entry);
      }
    }
  });
  return out;
}

function combine(connection: string, connectionMode: RecordingMode, granting: CompiledRole[]): Grant {
  const guardrails = new Set<string>();
  const masking = new Set<string>();
  let recording: RecordingMode = connectionMode;
  for (const role of granting) {
    const g = role.grants.get(connection);
    if (g === undefined) continue;
    g.guardrails.forEach((x) => guardrails.add(x));
    g.masking.forEach((x) => masking.add(x));
    recording = stricter(recording, g.recording) ?? recording;
  }
  return {
    allowed: true,
    connection,
    roles: granting.map((r) => r.name),
    guardrails: [...guardrails].sort(),
    masking: [...masking].sort(),
    recording,
  };
}

/** strict refuses sessions the log cannot take; buffered may spool. strict is the stricter. */
function stricter(a: RecordingMode | undefined, b: RecordingMode | undefined): RecordingMode | undefined {
  if (a === 'strict' || b === 'strict') return 'strict';
  return a ?? b;
}

function deny(connection: string, matched: CompiledRole[], reason: string): Denial {
  return { allowed: false, connection, roles: matched.map((r) => r.name), reason };
}

import type { SessionStart } from '../../services/core/events/types.js';

/** Who, from where, to what: the session.start fields every derived row repeats. */
export interface SessionInfo {
  subject: string;
  issuer: string;
  groups: string[];
  roles: string[];
  claimsJson: string;
  connection: string;
  protocol: string;
  targetHost: string;
  targetPort: number;
  targetDatabase: string;
  targetUser: string;
  clientAddress: string;
  gatewayNode: string;
  grant: string;
  guardrails: string[];
  maskingProfiles: string[];
  recordingPolicy: string;
  tokenExpiresAtMs: number | null;
}

/** What a session looks like before (or without) its session.start frame. */
export const UNKNOWN_SESSION: Readonly<SessionInfo> = Object.freeze({
  subject: '', issuer: '', groups: [], roles: [], claimsJson: '{}', connection: '', protocol: 'UNKNOWN', targetHost: '',
  targetPort: 0, targetDatabase: '', targetUser: '', clientAddress: '', gatewayNode: '', grant: '', guardrails: [],
  maskingProfiles: [], recordingPolicy: 'UNKNOWN', tokenExpiresAtMs: null,
});

/** Reads a session.start payload (the SessionStart body as JSON); a broken one yields the unknown session. */
export function parseSessionStart(payload: Buffer): SessionInfo {
  let s: Partial<SessionStart>;
  try {
    s = JSON.parse(payload.toString('utf8')) as Partial<SessionStart>;
  } catch {
    return { ...UNKNOWN_SESSION };
  }
  const id = s.identity;
  const t = s.target;
  return {
    subject: id?.subject ?? '',
    issuer: id?.issuer ?? '',
    groups: id?.groups ?? [],
    roles: id?.roles ?? [],
    claimsJson: id?.claimsJson ?? '{}',
    connection: t?.connection ?? '',
    protocol: t?.protocol ?? 'UNKNOWN',
    targetHost: t?.host ?? '',
    targetPort: t?.port ?? 0,
    targetDatabase: t?.database ?? '',
    targetUser: t?.user ?? '',
    clientAddress: s.clientAddress ?? '',
    gatewayNode: s.gatewayNode ?? '',
    grant: s.grant ?? '',
    guardrails: s.guardrails ?? [],
    maskingProfiles: s.maskingProfiles ?? [],
    recordingPolicy: s.recordingPolicy ?? 'UNKNOWN',
    tokenExpiresAtMs: s.tokenExpiresAtMs ?? null,
  };
}

/**
 * A stable id for the token a session presented: its `jti` claim, else issuer + subject + expiry
 * (two sessions with the same subject and the same exp came from one token in practice).
 */
export function tokenIdOf(info: SessionInfo): string {
  try {
    const claims = JSON.parse(info.claimsJson) as Record<string, unknown>;
    if (typeof claims['jti'] === 'string' && claims['jti'] !== '') return `jti:${claims['jti']}`;
  } catch {
    // fall through to the derived id
  }
  return `${info.issuer}|${info.subject}|${info.tokenExpiresAtMs ?? ''}`;
}

import { sessionEndBody, sessionStartBody, wireBody } from '../../core/events/bodies.js';
import type { Direction } from '../../core/events/types.js';
import { isTollgateError } from '../../core/errors.js';
import type { VerifiedIdentity } from '../../core/identity/index.js';
import type { Grant } from '../../core/policy/index.js';
import { SessionRecorder } from '../../core/recording/recorder.js';
import { WireRecorder } from './frame-recording.js';
import { GatewaySqlState } from './gateway-errors.js';
import type { CompiledGrant } from './grant-runtime.js';
import { GuardrailSession } from './guardrails/index.js';
import { writeBackendKeyData } from './protocol/backend-session.js';
import { AUTHENTICATION_OK, READY_FOR_QUERY, Writer, type TransactionStatus } from './protocol/index.js';
import { RelaySession } from './relay-session.js';
import { ResultMasking } from './result-masking.js';
import type { GatewayDeps } from './server.js';
import { recordedIdentity, recordedTarget, type PostgresConnection } from './session-start.js';

/** A session the gateway may open: who, to what, under which grant. */
export interface Admitted {
  readonly name: string;
  readonly identity: VerifiedIdentity;
  readonly conn: PostgresConnection;
  readonly grant: Grant;
  readonly compiled: CompiledGrant;
}

export interface Refused {
  readonly code: string;
  readonly message: string;
  readonly identity?: VerifiedIdentity;
}

/**
 * Verifies the token, authorizes the connection (default deny), checks that recording admits the
 * session's policy and compiles the grant. Refusals name the reason, never the token.
 */
export async function admit(d: GatewayDeps, name: string, token: string, remoteAddress: string): Promise<Admitted | Refused> {
  let identity: VerifiedIdentity;
  try {
    identity = await d.verifier.verify(token, { protocol: 'postgres', remoteAddress });
  } catch (err) {
    return { code: GatewaySqlState.invalidPassword, message: `identity token rejected: ${isTollgateError(err) ? err.message : 'invalid token'}` };
  }
  const conn = d.config.connections[name];
  const grant = d.policy.authorize(identity, name);
  if (!grant.allowed || conn?.protocol !== 'postgres') {
    const reason = grant.allowed ? `connection "${name}" is not a PostgreSQL connection` : grant.reason;
    return { code: GatewaySqlState.invalidAuthorization, message: `access to connection "${name}" denied: ${reason}`, identity };
  }
  try {
    d.sink.assertAdmits(grant.recording);
    return { name, identity, conn, grant, compiled: d.grants.compile(grant) };
  } catch (err) {
    const code = isTollgateError(err) && err.code === 'TG_ERR_RECORDING_REFUSED' ? GatewaySqlState.cannotConnectNow : GatewaySqlState.invalidAuthorization;
    return { code, message: `connection "${name}" refused: ${err instanceof Error ? err.message : String(err)}`, identity };
  }
}

/** Records a refused login as a short session: auth.fail then session.end (when recording is up). */
export function recordRefusal(d: GatewayDeps, name: string, r: Refused): void {
  if (!d.sink.admits('strict')) return;
  const recorder = new SessionRecorder(d.ids.sessionId(), 'POSTGRES', d.codec, d.sink, d.clock);
  new WireRecorder(recorder).decision('auth.fail', 'AUTH_FAIL', { subject: r.identity?.subject ?? '', reason: r.message, details: { connection: name, sqlstate: r.code } });
  recorder.record({ direction: 'GATEWAY', eventType: 'session.end', body: sessionEndBody(r.message, { error: r.code, frames: recorder.frames + 1 }) });
}

/** Opens the session's recording: session.start (identity, target, grant), the startup frames (password redacted), auth.ok. */
export function startRecording(d: GatewayDeps, a: Admitted, client: { address: string; startupRaw: Buffer | undefined; passwordSize: number }): { recorder: SessionRecorder; wire: WireRecorder } {
  const recorder = new SessionRecorder(d.ids.sessionId(), 'POSTGRES', d.codec, d.sink, d.clock);
  const wire = new WireRecorder(recorder);
  const g = a.grant;
  recorder.record({
    direction: 'GATEWAY',
    eventType: 'session.start',
    body: sessionStartBody({
      identity: recordedIdentity(a.identity, g.roles),
      target: recordedTarget(a.name, a.conn),
      clientAddress: client.address,
      gatewayNode: d.config.node.name,
      grant: g.roles.join(','),
      guardrails: [...g.guardrails],
      maskingProfiles: [...g.masking],
      recordingPolicy: g.recording === 'strict' ? 'STRICT' : 'BUFFERED',
      tokenExpiresAtMs: a.identity.expiresAt,
    }),
  });
  if (client.startupRaw !== undefined) wire.client('StartupMessage', client.startupRaw);
  wire.clientSecret('PasswordMessage', client.passwordSize);
  wire.decision('auth.ok', 'AUTH_OK', { subject: a.identity.subject, reason: `connection ${a.name}` });
  return { recorder, wire };
}

const REDACTED = Buffer.from('[redacted]');

/** A message carrying a cancel key (BackendKeyData): recorded as `[redacted]` with its size, never the key. */
export function recordKeyData(wire: WireRecorder, direction: Direction, size: number): number {
  return wire.recorder.record({ direction, eventType: 'db.frame', messageType: 'BackendKeyData', body: wireBody(REDACTED, { originalLength: size }) });
}

/**
 * What the gateway writes to the client once login is done, recorded in order as GATEWAY_TO_CLIENT:
 * AuthenticationOk, the upstream's ParameterStatus frames (relayed here, also recorded as they
 * arrived), the gateway's own BackendKeyData (redacted) and ReadyForQuery.
 */
export function greetClient(wire: WireRecorder, key: { processId: number; secretKey: Uint8Array }, parameterFrames: readonly Buffer[], status: TransactionStatus): Buffer[] {
  const keyData = writeBackendKeyData(new Writer(32), key.processId, key.secretKey).finish();
  const ready = READY_FOR_QUERY[status];
  wire.toClient('AuthenticationOk', AUTHENTICATION_OK);
  for (const p of parameterFrames) wire.toClient('ParameterStatus', p);
  recordKeyData(wire, 'GATEWAY_TO_CLIENT', keyData.length);
  wire.toClient('ReadyForQuery', ready);
  return [AUTHENTICATION_OK, ...parameterFrames, keyData, ready];
}

/** The relay for an admitted session: its guardrail sessions and, when the grant masks, result masking. */
export function buildRelay(d: GatewayDeps, a: Admitted, wire: WireRecorder): RelaySession {
  const c = a.compiled;
  return new RelaySession({
    recorder: wire,
    enforce: c.enforce === undefined ? undefined : new GuardrailSession(c.enforce),
    observe: c.observe === undefined ? undefined : new GuardrailSession(c.observe),
    masking: c.masking === undefined ? undefined : { plan: c.masking, results: new ResultMasking(c.masking, d.catalogFor(a.name)) },
    probeNonce: d.probeNonce,
    now: () => d.clock.nowMs(),
  });
}

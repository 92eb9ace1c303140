/**
 * TypeScript shapes of the Avro schemas in schemas/, written by hand to match them field for field
 * (types.test.ts round-trips a fully populated value of each through the compiled schema).
 * Avro long is a JS number: µs timestamps (~1.7e15) sit well inside 2^53, and avsc refuses to read
 * a long that would lose precision. Avro bytes are Buffers. Nullable unions are `T | null`.
 */

export type Protocol = 'UNKNOWN' | 'GATEWAY' | 'POSTGRES' | 'SSH' | 'KUBERNETES' | 'MYSQL';

export type Direction =
  | 'UNKNOWN'
  | 'CLIENT_TO_GATEWAY'
  | 'GATEWAY_TO_UPSTREAM'
  | 'UPSTREAM_TO_GATEWAY'
  | 'GATEWAY_TO_CLIENT'
  | 'GATEWAY';

export type DecisionAction = 'UNKNOWN' | 'AUTH_OK' | 'AUTH_FAIL' | 'ALLOW' | 'BLOCK' | 'HOLD' | 'OBSERVE' | 'MASK' | 'WITHHOLD';

export type RecordingPolicy = 'UNKNOWN' | 'STRICT' | 'BUFFERED';

export type Severity = 'UNKNOWN' | 'INFO' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** tollgate.Identity */
export interface Identity {
  subject: string;
  issuer: string;
  groups: string[];
  roles: string[];
  claimsJson: string;
}

/** tollgate.Target */
export interface Target {
  connection: string;
  protocol: Protocol;
  host: string;
  port: number;
  database: string | null;
  user: string | null;
}

/** tollgate.Wire: bytes of one protocol message as they crossed one hop. */
export interface Wire {
  payload: Buffer;
  maskedInline: boolean;
  truncated: boolean;
  originalLength: number;
}

/** tollgate.SessionStart */
export interface SessionStart {
  identity: Identity;
  target: Target;
  clientAddress: string;
  gatewayNode: string;
  grant: string;
  guardrails: string[];
  maskingProfiles: string[];
  recordingPolicy: RecordingPolicy;
  tokenExpiresAtMs: number | null;
}

/** tollgate.SessionEnd */
export interface SessionEnd {
  reason: string;
  error: string | null;
  bytesFromClient: number;
  bytesToClient: number;
  frames: number;
}

/** tollgate.Decision */
export interface Decision {
  action: DecisionAction;
  rule: string;
  reason: string;
  subject: string;
  refSeq: number | null;
  details: Record<string, string>;
}

/**
 * Frame.body is an Avro union of records. In TypeScript it carries `kind`, the record's name, so
 * code can switch on it; `kind` is not an Avro field (the union branch index carries it on the wire).
 */
export type FrameBody =
  | ({ kind: 'Wire' } & Wire)
  | ({ kind: 'SessionStart' } & SessionStart)
  | ({ kind: 'SessionEnd' } & SessionEnd)
  | ({ kind: 'Decision' } & Decision);

export type FrameBodyKind = FrameBody['kind'];

/** Body kinds in the order of the Frame.body union's branches. */
export const FrameBodyKinds: readonly FrameBodyKind[] = ['Wire', 'SessionStart', 'SessionEnd', 'Decision'];

/** tollgate.Frame: one event of topic tollgate.frames.v1, keyed by sessionId. */
export interface Frame<B extends FrameBody = FrameBody> {
  sessionId: string;
  seq: number;
  tsMicros: number;
  protocol: Protocol;
  direction: Direction;
  /** Dotted event type (codes.ts); a newer writer may send one this build does not know. */
  eventType: string;
  eventCode: number;
  messageType: string;
  channel: number | null;
  body: B;
}

/** tollgate.Alert: one event of topic tollgate.alerts.v1. */
export interface Alert {
  alertId: string;
  ruleId: string;
  severity: Severity;
  title: string;
  subject: string;
  sessionId: string | null;
  seq: number | null;
  tsMicros: number;
  detailsJson: string;
}

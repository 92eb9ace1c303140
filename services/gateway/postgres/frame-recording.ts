import type { EventType } from '../../core/events/codes.js';
import { decisionBody, wireBody } from '../../core/events/bodies.js';
import type { DecisionAction, Direction } from '../../core/events/types.js';
import type { SessionRecorder } from '../../core/recording/recorder.js';
import type { WireHop } from '../../core/events/wire-frames.js';
import type { BackendKind, FrontendKind } from './protocol/index.js';

/** Larger payloads are recorded cut to this size and marked truncated (the full size is kept). */
export const MAX_RECORDED_PAYLOAD = 1024 * 1024;

const FRONTEND_EVENTS: Readonly<Record<FrontendKind, EventType>> = {
  StartupMessage: 'db.startup',
  SSLRequest: 'db.startup',
  GSSENCRequest: 'db.startup',
  CancelRequest: 'db.frame',
  Bind: 'db.bind',
  Close: 'db.frame',
  CopyData: 'db.copy',
  CopyDone: 'db.copy',
  CopyFail: 'db.copy',
  Describe: 'db.describe',
  Execute: 'db.execute',
  Flush: 'db.frame',
  FunctionCall: 'db.function',
  Parse: 'db.parse',
  AuthenticationResponse: 'db.frame',
  Query: 'db.query',
  Sync: 'db.frame',
  Terminate: 'db.frame',
};

const BACKEND_EVENTS: Partial<Readonly<Record<BackendKind, EventType>>> = {
  CommandComplete: 'db.complete',
  EmptyQueryResponse: 'db.complete',
  PortalSuspended: 'db.complete',
  CopyData: 'db.copy',
  CopyDone: 'db.copy',
  CopyInResponse: 'db.copy',
  CopyOutResponse: 'db.copy',
  CopyBothResponse: 'db.copy',
  DataRow: 'db.row',
  ErrorResponse: 'db.error',
  FunctionCallResponse: 'db.function',
  NoticeResponse: 'db.notice',
  RowDescription: 'db.describe',
  ParameterDescription: 'db.describe',
  NoData: 'db.describe',
};

const REDACTED = Buffer.from('[redacted]');

/**
 * Direction semantics: a message forwarded unchanged is recorded once, on the hop it arrived by
 * (CLIENT_TO_GATEWAY or UPSTREAM_TO_GATEWAY). GATEWAY_TO_CLIENT and GATEWAY_TO_UPSTREAM frames are
 * messages the gateway wrote or changed (masked rows, block errors, its own login). A changed
 * message is recorded only as sent when the original held data it masked.
 */
export class WireRecorder {
  // The constant fields of each kind of frame per hop, encoded once per session (see SessionRecorder.recordWire).
  private readonly hops: Record<Direction, Map<string, WireHop>> = {
    UNKNOWN: new Map(), CLIENT_TO_GATEWAY: new Map(), GATEWAY_TO_UPSTREAM: new Map(),
    UPSTREAM_TO_GATEWAY: new Map(), GATEWAY_TO_CLIENT: new Map(), GATEWAY: new Map(),
  };

  constructor(readonly recorder: SessionRecorder) {}

  /** A client message, forwarded unchanged or consumed by the gateway. */
  client(kind: FrontendKind, raw: Buffer): number {
    return this.wire('CLIENT_TO_GATEWAY', FRONTEND_EVENTS[kind], kind, raw, false);
  }

  /** A client message whose content is a secret (password, token): only its size is recorded. */
  clientSecret(kind: string, size: number): number {
    return this.recorder.record({
      direction: 'CLIENT_TO_GATEWAY',
      eventType: 'db.frame',
      messageType: kind,
      body: wireBody(REDACTED, { originalLength: size }),
    });
  }

  /** An upstream message, forwarded unchanged or consumed by the gateway. */
  upstream(kind: BackendKind, raw: Buffer): number {
    return this.wire('UPSTREAM_TO_GATEWAY', BACKEND_EVENTS[kind] ?? 'db.frame', kind, raw, false);
  }

  /** A message the gateway wrote or changed for the client. */
  toClient(kind: BackendKind, bytes: Buffer, maskedInline = false): number {
    return this.wire('GATEWAY_TO_CLIENT', BACKEND_EVENTS[kind] ?? 'db.frame', kind, bytes, maskedInline);
  }

  /** A message the gateway wrote for the upstream server; `secret` records only its size. */
  toUpstream(kind: string, bytes: Buffer, secret = false): number {
    const eventType = (FRONTEND_EVENTS as Record<string, EventType>)[kind] ?? 'db.frame';
    if (secret) {
      return this.recorder.record({ direction: 'GATEWAY_TO_UPSTREAM', eventType, messageType: kind, body: wireBody(REDACTED, { originalLength: bytes.length }) });
    }
    return this.wire('GATEWAY_TO_UPSTREAM', eventType, kind, bytes, false);
  }

  /** A gateway decision (policy, mask, auth) as a Decision frame. */
  decision(eventType: EventType, action: DecisionAction, fields: { rule?: string; reason?: string; subject?: string; refSeq?: number | null; details?: Record<string, string> }): number {
    return this.recorder.record({ direction: 'GATEWAY', eventType, messageType: '', body: decisionBody(action, fields) });
  }

  private wire(direction: Direction, eventType: EventType, kind: string, raw: Buffer, masked: boolean): number {
    const hops = this.hops[direction];
    let hop = hops.get(kind);
    if (hop === undefined) {
      hop = this.recorder.wireHop(direction, eventType, kind);
      hops.set(kind, hop);
    }
    const cut = raw.length > MAX_RECORDED_PAYLOAD;
    return this.recorder.recordWire(hop, cut ? raw.subarray(0, MAX_RECORDED_PAYLOAD) : raw, masked, cut, raw.length);
  }
}

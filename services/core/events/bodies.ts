import { EventTypes } from './codes.js';
import type { EventType } from './codes.js';
import type { Decision, DecisionAction, FrameBody, SessionEnd, SessionStart, Wire } from './types.js';

type Tagged<K extends FrameBody['kind'], T> = { kind: K } & T;

/** A frame's eventType and eventCode for a known event type, to spread into the frame. */
export function eventOf(type: EventType): { eventType: EventType; eventCode: number } {
  return { eventType: type, eventCode: EventTypes[type] };
}

/** The body of a protocol frame; originalLength defaults to the payload's length (not truncated). */
export function wireBody(payload: Buffer, options: Partial<Omit<Wire, 'payload'>> = {}): Tagged<'Wire', Wire> {
  return {
    kind: 'Wire',
    payload,
    maskedInline: options.maskedInline ?? false,
    truncated: options.truncated ?? false,
    originalLength: options.originalLength ?? payload.length,
  };
}

/** A Wire body holding at most maxBytes of payload, marked truncated when it had to cut. */
export function truncatedWireBody(payload: Buffer, maxBytes: number, maskedInline = false): Tagged<'Wire', Wire> {
  if (payload.length <= maxBytes) return wireBody(payload, { maskedInline });
  return wireBody(payload.subarray(0, maxBytes), { maskedInline, truncated: true, originalLength: payload.length });
}

/** The body of a gateway decision; schema defaults fill what is not given. */
export function decisionBody(action: DecisionAction, fields: Partial<Omit<Decision, 'action'>> = {}): Tagged<'Decision', Decision> {
  return {
    kind: 'Decision',
    action,
    rule: fields.rule ?? '',
    reason: fields.reason ?? '',
    subject: fields.subject ?? '',
    refSeq: fields.refSeq ?? null,
    details: fields.details ?? {},
  };
}

type SessionStartRequired = Pick<SessionStart, 'identity' | 'target' | 'clientAddress' | 'gatewayNode' | 'recordingPolicy'>;

/** The body of a session.start frame; schema defaults fill the optional fields. */
export function sessionStartBody(fields: SessionStartRequired & Partial<SessionStart>): Tagged<'SessionStart', SessionStart> {
  return {
    kind: 'SessionStart',
    identity: fields.identity,
    target: fields.target,
    clientAddress: fields.clientAddress,
    gatewayNode: fields.gatewayNode,
    grant: fields.grant ?? '',
    guardrails: fields.guardrails ?? [],
    maskingProfiles: fields.maskingProfiles ?? [],
    recordingPolicy: fields.recordingPolicy,
    tokenExpiresAtMs: fields.tokenExpiresAtMs ?? null,
  };
}

/** The body of a session.end frame. */
export function sessionEndBody(reason: string, fields: Partial<Omit<SessionEnd, 'reason'>> = {}): Tagged<'SessionEnd', SessionEnd> {
  return {
    kind: 'SessionEnd',
    reason,
    error: fields.error ?? null,
    bytesFromClient: fields.bytesFromClient ?? 0,
    bytesToClient: fields.bytesToClient ?? 0,
    frames: fields.frames ?? 0,
  };
}

import type { DecisionAction, Frame } from '../../services/core/events/types.js';

/**
 * One frame as the store holds it (a row of `frames`, payload already masked). Projections read
 * only this shape, so live projection and re-projection from the store see the same input.
 *
 * Bodies other than Wire have no bytes of their own: their fields are kept as JSON in `payload`
 * (SessionStart and SessionEnd whole, Decision's `details`), so nothing a projection needs is lost.
 */
export interface StoredFrame {
  sessionId: string;
  seq: number;
  tsMicros: number;
  /** A Protocol name; a string because rows read back from the store are not checked against the enum. */
  protocol: string;
  direction: string;
  eventType: string;
  eventCode: number;
  messageType: string;
  channel: number | null;
  payload: Buffer;
  maskedInline: boolean;
  truncated: boolean;
  originalLength: number;
  decisionAction: DecisionAction | '';
  decisionRule: string;
  decisionReason: string;
  decisionSubject: string;
  decisionRefSeq: number | null;
  logPartition: number;
  logOffset: number;
}

const EMPTY = Buffer.alloc(0);

/** The stored shape of a decoded frame before masking; non-Wire bodies become JSON payloads. */
export function storedFrameOf(frame: Frame, logPartition: number, logOffset: number): StoredFrame {
  const body = frame.body;
  const row: StoredFrame = {
    sessionId: frame.sessionId,
    seq: frame.seq,
    tsMicros: frame.tsMicros,
    protocol: frame.protocol,
    direction: frame.direction,
    eventType: frame.eventType,
    eventCode: frame.eventCode,
    messageType: frame.messageType,
    channel: frame.channel,
    payload: EMPTY,
    maskedInline: false,
    truncated: false,
    originalLength: 0,
    decisionAction: '',
    decisionRule: '',
    decisionReason: '',
    decisionSubject: '',
    decisionRefSeq: null,
    logPartition,
    logOffset,
  };
  switch (body.kind) {
    case 'Wire':
      row.payload = body.payload;
      row.maskedInline = body.maskedInline;
      row.truncated = body.truncated;
      row.originalLength = body.originalLength;
      break;
    case 'Decision':
      row.decisionAction = body.action;
      row.decisionRule = body.rule;
      row.decisionReason = body.reason;
      row.decisionSubject = body.subject;
      row.decisionRefSeq = body.refSeq;
      row.payload = Buffer.from(JSON.stringify(body.details));
      break;
    case 'SessionStart':
    case 'SessionEnd': {
      const { kind: _kind, ...fields } = body;
      row.payload = Buffer.from(JSON.stringify(fields));
      break;
    }
  }
  return row;
}

/** The row inserted into `frames` (column names of migrations/0001). */
export function frameRow(f: StoredFrame): Record<string, unknown> {
  return {
    session_id: f.sessionId,
    seq: f.seq,
    ts: f.tsMicros,
    protocol: f.protocol,
    direction: f.direction,
    event_type: f.eventType,
    event_code: f.eventCode,
    message_type: f.messageType,
    channel: f.channel,
    payload: f.payload,
    masked_inline: f.maskedInline,
    truncated: f.truncated,
    original_length: f.originalLength,
    decision_action: f.decisionAction,
    decision_rule: f.decisionRule,
    decision_reason: f.decisionReason,
    decision_subject: f.decisionSubject,
    decision_ref_seq: f.decisionRefSeq,
    log_partition: f.logPartition,
    log_offset: f.logOffset,
  };
}

/** Columns to SELECT so that {@link storedFrameFromRow} can rebuild a frame (payload as hex: JSON results are text). */
export const STORED_FRAME_COLUMNS = `session_id, seq, toUnixTimestamp64Micro(ts) AS ts_us, protocol, direction, event_type, event_code,
  message_type, channel, hex(payload) AS payload_hex, masked_inline, truncated, original_length, decision_action,
  decision_rule, decision_reason, decision_subject, decision_ref_seq, log_partition, log_offset`;

/** Rebuilds a frame read with {@link STORED_FRAME_COLUMNS}. */
export function storedFrameFromRow(r: Record<string, unknown>): StoredFrame {
  return {
    sessionId: String(r['session_id']),
    seq: Number(r['seq']),
    tsMicros: Number(r['ts_us']),
    protocol: String(r['protocol']),
    direction: String(r['direction']),
    eventType: String(r['event_type']),
    eventCode: Number(r['event_code']),
    messageType: String(r['message_type']),
    channel: r['channel'] === null || r['channel'] === undefined ? null : Number(r['channel']),
    payload: Buffer.from(String(r['payload_hex']), 'hex'),
    maskedInline: Boolean(r['masked_inline']),
    truncated: Boolean(r['truncated']),
    originalLength: Number(r['original_length']),
    decisionAction: String(r['decision_action']) as StoredFrame['decisionAction'],
    decisionRule: String(r['decision_rule']),
    decisionReason: String(r['decision_reason']),
    decisionSubject: String(r['decision_subject']),
    decisionRefSeq: r['decision_ref_seq'] === null || r['decision_ref_seq'] === undefined ? null : Number(r['decision_ref_seq']),
    logPartition: Number(r['log_partition']),
    logOffset: Number(r['log_offset']),
  };
}

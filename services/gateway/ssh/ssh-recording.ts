import { decisionBody, truncatedWireBody, wireBody } from '../../core/events/bodies.js';
import type { EventType } from '../../core/events/codes.js';
import type { DecisionAction, Direction } from '../../core/events/types.js';
import type { SessionRecorder } from '../../core/recording/recorder.js';

/** Larger chunks are recorded cut to this size and marked truncated (ssh2 hands out ≤ 32 KiB packets anyway). */
const MAX_RECORDED_PAYLOAD = 1024 * 1024;

export interface DecisionFields {
  rule?: string;
  reason?: string;
  subject?: string;
  refSeq?: number | null;
  details?: Record<string, string>;
}

/**
 * The SSH recording conventions in one place (see README "Recording"): requests as Wire frames
 * carrying their payload (exec: the command text; pty/resize/exit: small JSON), channel data as
 * ssh.data with the hop it arrived by, and every gateway decision as a Decision frame.
 */
export class SshRecording {
  bytesFromClient = 0;
  bytesToClient = 0;

  constructor(readonly recorder: SessionRecorder) {}

  /** Channel data: CLIENT_TO_GATEWAY is input, UPSTREAM_TO_GATEWAY is output; messageType "stderr" for extended data. Returns the seq. */
  data(direction: Direction, channel: number, bytes: Buffer, stderr = false): number {
    if (direction === 'CLIENT_TO_GATEWAY') this.bytesFromClient += bytes.length;
    else this.bytesToClient += bytes.length;
    return this.recorder.record({ direction, eventType: 'ssh.data', messageType: stderr ? 'stderr' : 'data', channel, body: truncatedWireBody(bytes, MAX_RECORDED_PAYLOAD) });
  }

  /** A request whose payload is text (exec command, subsystem name, env "NAME=value"). */
  text(eventType: EventType, messageType: string, channel: number | null, text: string, direction: Direction = 'CLIENT_TO_GATEWAY'): number {
    return this.recorder.record({ direction, eventType, messageType, channel, body: truncatedWireBody(Buffer.from(text, 'utf8'), MAX_RECORDED_PAYLOAD) });
  }

  /** A frame with an empty payload (channel close). */
  empty(eventType: EventType, messageType: string, channel: number | null, direction: Direction): number {
    return this.recorder.record({ direction, eventType, messageType, channel, body: wireBody(Buffer.alloc(0)) });
  }

  /** A request whose payload is a small JSON object (pty, resize, exit, forward). */
  json(eventType: EventType, messageType: string, channel: number | null, value: unknown, direction: Direction = 'CLIENT_TO_GATEWAY'): number {
    return this.recorder.record({ direction, eventType, messageType, channel, body: wireBody(Buffer.from(JSON.stringify(value), 'utf8')) });
  }

  /** A gateway decision. */
  decision(eventType: EventType, action: DecisionAction, channel: number | null, fields: DecisionFields): number {
    return this.recorder.record({ direction: 'GATEWAY', eventType, messageType: 'decision', channel, body: decisionBody(action, fields) });
  }

  /** Text the gateway itself wrote to the client (notices, refusal messages). */
  notice(channel: number, data: string | Buffer): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.bytesToClient += bytes.length;
    this.recorder.record({ direction: 'GATEWAY_TO_CLIENT', eventType: 'ssh.data', messageType: 'notice', channel, body: truncatedWireBody(bytes, MAX_RECORDED_PAYLOAD) });
  }
}

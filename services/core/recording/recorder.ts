import type { Clock } from '../clock.js';
import { EventTypes, type EventType } from '../events/codes.js';
import type { EventCodec } from '../events/codec.js';
import type { Direction, FrameBody, Protocol } from '../events/types.js';
import type { SessionWireEncoder, WireHop } from '../events/wire-frames.js';
import type { RecordingSink } from './sink.js';

/** What a protocol session says about one frame; the recorder fills the rest. */
export interface FrameInput {
  direction: Direction;
  eventType: EventType;
  messageType?: string;
  channel?: number | null;
  body: FrameBody;
}

/**
 * Records one session's frames: assigns the per-session sequence number and the µs timestamp,
 * encodes at once (so the caller may reuse its buffers), and hands the bytes to the node's sink.
 * The checking emitter of the design: nothing reaches the log without id, time and sequence.
 */
export class SessionRecorder {
  private nextSeq = 0;
  private ended = false;
  private readonly wire: SessionWireEncoder | undefined;

  constructor(
    readonly sessionId: string,
    private readonly protocol: Protocol,
    private readonly codec: EventCodec,
    private readonly sink: RecordingSink,
    private readonly clock: Clock,
  ) {
    this.wire = codec.wireFrames?.session(sessionId);
  }

  /** Records a frame and returns its sequence number. */
  record(input: FrameInput): number {
    if (this.ended) throw new Error(`session ${this.sessionId} recorded a frame after session.end`);
    const seq = this.nextSeq++;
    const value = this.codec.encodeFrame({
      sessionId: this.sessionId,
      seq,
      tsMicros: Number(this.clock.nowMicros()),
      protocol: this.protocol,
      direction: input.direction,
      eventType: input.eventType,
      eventCode: EventTypes[input.eventType],
      messageType: input.messageType ?? '',
      channel: input.channel ?? null,
      body: input.body,
    });
    this.sink.write(this.sessionId, value);
    if (input.eventType === 'session.end') this.ended = true;
    return seq;
  }

  /** The constant part of Wire frames of one kind, for recordWire; callers keep it per kind. */
  wireHop(direction: Direction, eventType: EventType, messageType: string): WireHop {
    const fields = { protocol: this.protocol, direction, eventType, eventCode: EventTypes[eventType], messageType, channel: null };
    return this.codec.wireFrames?.hop(fields) ?? { direction, eventType, messageType, bytes: undefined };
  }

  /**
   * Records a Wire frame of the hop's kind and returns its sequence number: the same frame as
   * record() with a Wire body, with the constant fields written from the hop's bytes.
   */
  recordWire(hop: WireHop, payload: Buffer, maskedInline: boolean, truncated: boolean, originalLength: number): number {
    if (this.ended) throw new Error(`session ${this.sessionId} recorded a frame after session.end`);
    const seq = this.nextSeq++;
    const tsMicros = Number(this.clock.nowMicros());
    const value = hop.bytes !== undefined && this.wire !== undefined
      ? this.wire.encode(seq, tsMicros, hop.bytes, payload, maskedInline, truncated, originalLength)
      : this.codec.encodeFrame({
          sessionId: this.sessionId, seq, tsMicros, protocol: this.protocol, direction: hop.direction,
          eventType: hop.eventType, eventCode: EventTypes[hop.eventType], messageType: hop.messageType, channel: null,
          body: { kind: 'Wire', payload, maskedInline, truncated, originalLength },
        });
    this.sink.write(this.sessionId, value);
    return seq;
  }

  /** Frames recorded so far. */
  get frames(): number {
    return this.nextSeq;
  }

  /** Backpressure: resolves when the sink can take more; protocol adapters pause reads meanwhile. */
  ready(): Promise<void> {
    return this.sink.ready();
  }
}

import type { EventCodec } from '../../services/core/events/codec.js';
import type { LogRecord } from '../../services/core/log/port.js';
import { storedFrameOf, type StoredFrame } from '../model/stored-frame.js';

/** A log record ingest could not use, kept whole with the reason (a row of `dead_letters`). */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: number;
  reason: string;
  raw: Buffer;
  tsMicros: number;
}

/** DateTime64(6) ends in 2299; a frame stamped later would fail its whole batch's insert. */
const MAX_TS_MICROS = Date.UTC(2299, 0, 1) * 1000;

export interface DecodedBatch {
  frames: StoredFrame[];
  dead: DeadLetter[];
}

/**
 * Decodes a batch of frame records. A record that is not a frame (garbage, truncated, unknown
 * schema, a key that disagrees with its session id) becomes a dead letter with the reason; the
 * rest of the batch goes on. Call `codec.loadWriterSchemas` on the values first.
 */
export function decodeFrames(codec: EventCodec, records: readonly LogRecord[], nowMicros: number): DecodedBatch {
  const frames: StoredFrame[] = [];
  const dead: DeadLetter[] = [];
  for (const r of records) {
    let reason: string;
    try {
      const frame = codec.decodeFrame(r.value);
      if (frame.sessionId === '') reason = 'frame has an empty session id';
      else if (!Number.isSafeInteger(frame.seq) || frame.seq < 0) reason = `frame has an invalid seq ${frame.seq}`;
      else if (!(frame.tsMicros >= 0 && frame.tsMicros < MAX_TS_MICROS)) reason = `frame timestamp ${frame.tsMicros} µs is outside what the store keeps (1970-2299)`;
      else {
        frames.push(storedFrameOf(frame, r.partition, r.offset));
        continue;
      }
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
    dead.push({ topic: r.topic, partition: r.partition, offset: r.offset, reason, raw: r.value, tsMicros: nowMicros });
  }
  return { frames, dead };
}

/** The row inserted into `dead_letters`. */
export function deadLetterRow(d: DeadLetter): Record<string, unknown> {
  return { topic: d.topic, log_partition: d.partition, log_offset: d.offset, reason: d.reason, raw: d.raw, ts: d.tsMicros };
}

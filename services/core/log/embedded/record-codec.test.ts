import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Range, crc32Table } from './crc32.js';
import { murmur2, partitionForKeyBytes } from './murmur2.js';
import { FRAME_HEADER_BYTES, FrameStatus, MAX_FRAME_BYTES, decodeFrame, encodeFrame, newFrameView } from './record-codec.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

const recordArb = fc.record({
  offset: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  timestampMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  key: fc.string({ unit: 'grapheme', maxLength: 40 }),
  value: fc.uint8Array({ maxLength: 300 }),
});

describe('record codec', () => {
  it('round-trips offset, timestamp, key and value', () => {
    fc.assert(fc.property(recordArb, (r) => {
      const frame = encodeFrame(r.offset, r.timestampMs, r.key, r.value);
      const view = newFrameView();
      expect(decodeFrame(frame, 0, frame.length, MAX_FRAME_BYTES, view)).toBe(FrameStatus.Ok);
      expect(view.offset).toBe(r.offset);
      expect(view.timestampMs).toBe(r.timestampMs);
      expect(frame.toString('utf8', view.keyStart, view.keyEnd)).toBe(r.key);
      expect(Buffer.compare(frame.subarray(view.keyEnd, view.valueEnd), Buffer.from(r.value))).toBe(0);
      expect(view.frameEnd).toBe(frame.length);
    }));
  });

  it('decodes frames back to back and reports the position after each', () => {
    const a = encodeFrame(7, 1, 'a', Buffer.from('first'));
    const b = encodeFrame(8, 2, 'bb', Buffer.from('second'));
    const buf = Buffer.concat([a, b]);
    const view = newFrameView();
    expect(decodeFrame(buf, 0, buf.length, MAX_FRAME_BYTES, view)).toBe(FrameStatus.Ok);
    expect(decodeFrame(buf, view.frameEnd, buf.length, MAX_FRAME_BYTES, view)).toBe(FrameStatus.Ok);
    expect(view.offset).toBe(8);
  });

  it('reports every truncation as incomplete, never as a record', () => {
    const frame = encodeFrame(3, 4, 'session-1', Buffer.from('payload bytes'));
    const view = newFrameView();
    for (let len = 0; len < frame.length; len++) {
      expect(decodeFrame(frame, 0, len, MAX_FRAME_BYTES, view), `length ${len}`).toBe(FrameStatus.Incomplete);
    }
  });

  it('rejects any single flipped bit after the length field', () => {
    const frame = encodeFrame(3, 4, 'session-1', Buffer.from('payload bytes'));
    const view = newFrameView();
    for (let byte = 4; byte < frame.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Buffer.from(frame);
        bad[byte] = (bad[byte] as number) ^ (1 << bit);
        expect(decodeFrame(bad, 0, bad.length, MAX_FRAME_BYTES, view), `byte ${byte} bit ${bit}`).toBe(FrameStatus.Corrupt);
      }
    }
  });

  it('treats a damaged length as corrupt or incomplete, never as a valid record', () => {
    const frame = encodeFrame(3, 4, 'k', Buffer.from('value'));
    const view = newFrameView();
    for (let bit = 0; bit < 32; bit++) {
      const bad = Buffer.from(frame);
      bad.writeUInt32BE((bad.readUInt32BE(0) ^ (1 << bit)) >>> 0, 0);
      expect(decodeFrame(bad, 0, bad.length, MAX_FRAME_BYTES, view)).not.toBe(FrameStatus.Ok);
    }
  });

  it('rejects lengths below the header or above the frame limit, and random garbage', () => {
    const view = newFrameView();
    const tiny = Buffer.alloc(64);
    tiny.writeUInt32BE(FRAME_HEADER_BYTES - 5, 0);
    expect(decodeFrame(tiny, 0, tiny.length, MAX_FRAME_BYTES, view)).toBe(FrameStatus.Corrupt);
    const huge = Buffer.alloc(64);
    huge.writeUInt32BE(2000, 0);
    expect(decodeFrame(huge, 0, huge.length, 1000, view)).toBe(FrameStatus.Corrupt);
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 200 }), (bytes) => {
      const buf = Buffer.from(bytes);
      expect(decodeFrame(buf, 0, buf.length, MAX_FRAME_BYTES, view)).not.toBe(FrameStatus.Ok);
    }));
  });
});

describe('crc32', () => {
  it('the table fallback matches the runtime implementation', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      expect(crc32Table(bytes)).toBe(crc32(bytes));
    }));
    // The check value every CRC-32 (IEEE) implementation publishes.
    expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('crc32Range matches the runtime implementation on any range, either side of its native cut-over (192 bytes)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
      const end = start + (b % (bytes.length - start + 1));
      expect(crc32Range(bytes, start, end)).toBe(crc32(bytes.subarray(start, end)));
    }), { numRuns: 500 });
    expect(crc32Range(Buffer.from('x123456789y'), 1, 10)).toBe(0xcbf43926);
  });
});

describe('murmur2 partitioner', () => {
  it('hashes like kafkajs (and so Kafka), so keys map to the same partitions', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
      const bytes = Buffer.from(key, 'utf8');
      const expected = kafkajsMurmur2(bytes);
      expect(murmur2(bytes)).toBe(expected);
      expect(partitionForKeyBytes(bytes, 0, bytes.length, n)).toBe((expected & 0x7fffffff) % n);
    }));
  });

  it('hashes a sub-range the same as the bytes on their own', () => {
    const buf = Buffer.from('xxsession-42yy');
    expect(murmur2(buf, 2, 12)).toBe(murmur2(Buffer.from('session-42')));
  });
});

import { describe, expect, it } from 'vitest';
import { FrameQueue } from './frame-queue.js';

describe('FrameQueue', () => {
  it('keeps bookkeeping bounded when a frame arrives one byte per chunk', () => {
    const q = new FrameQueue();
    const frame = Buffer.alloc(300_000, 0x61);
    for (let i = 0; i < frame.length; i++) q.push(frame.subarray(i, i + 1));
    expect(q.available).toBe(frame.length);
    expect(q.chunkCount).toBeLessThan(frame.length / 200);
    expect(q.take(frame.length).equals(frame)).toBe(true);
    expect(q.available).toBe(0);
  });

  it('keeps large chunks as they are and reads across them', () => {
    const q = new FrameQueue();
    const parts = [Buffer.from([0, 0, 0]), Buffer.alloc(2000, 1), Buffer.from([0x12, 0x34, 0x56, 0x78])];
    for (const p of parts) q.push(p);
    expect(q.chunkCount).toBe(3);
    expect(q.int32At(2001)).toBe(0x01011234);
    expect(q.byteAt(2006)).toBe(0x78);
    q.takeRange(3);
    expect(q.rangeSource).toBe(parts[0]);
    expect(q.take(2000).buffer).toBe(parts[1]?.buffer);
    expect(q.take(4).readUInt32BE(0)).toBe(0x12345678);
  });

  it('merges small chunks after part of the queue was consumed', () => {
    const q = new FrameQueue();
    const all = Buffer.from(Array.from({ length: 5000 }, (_, i) => i & 0xff));
    let fed = 0;
    let read = 0;
    while (fed < all.length) {
      const n = 1 + (fed % 5);
      q.push(all.subarray(fed, fed + n));
      fed += n;
      if (fed % 97 < 5 && q.available > 10) {
        const got = q.take(10);
        expect(got.equals(all.subarray(read, read + 10))).toBe(true);
        read += 10;
      }
    }
    expect(q.take(q.available).equals(all.subarray(read))).toBe(true);
  });
});

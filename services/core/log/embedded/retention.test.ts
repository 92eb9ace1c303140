import { readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import type { TollgateError } from '../../errors.js';
import { openEmbeddedLog } from './embedded-log.js';
import type { SegmentFacts } from './retention.js';
import { planRetention } from './retention.js';
import { collect, tempDir } from './testing-log.js';

const seg = (baseOffset: number, size: number, maxTimestampMs: number): SegmentFacts => ({ baseOffset, size, maxTimestampMs });
// Four segments of 100 bytes, records 0-9, 10-19, 20-29 and the active one from 30; stamped at 1000s.
const segs = [seg(0, 100, 1000), seg(10, 100, 2000), seg(20, 100, 3000), seg(30, 100, 4000)];
const none = { maxAgeMs: 0, maxBytes: 0, hardMaxBytes: 0 };

describe('planRetention', () => {
  it('deletes nothing without limits, and never the active segment', () => {
    expect(planRetention(segs, none, 10_000, Infinity).count).toBe(0);
    expect(planRetention(segs, { ...none, maxAgeMs: 1 }, 1e9, Infinity).count).toBe(3);
    expect(planRetention(segs, { ...none, maxBytes: 1 }, 0, Infinity).count).toBe(3);
    expect(planRetention(segs.slice(3), { ...none, maxBytes: 1 }, 0, Infinity).count).toBe(0);
  });

  it('deletes by age only a prefix of expired segments', () => {
    expect(planRetention(segs, { ...none, maxAgeMs: 1500 }, 4000, Infinity).count).toBe(2);
    const outOfOrder = [seg(0, 100, 3500), seg(10, 100, 1000), seg(20, 100, 1000), seg(30, 100, 4000)];
    expect(planRetention(outOfOrder, { ...none, maxAgeMs: 1500 }, 4000, Infinity).count).toBe(0);
  });

  it('deletes by size until the partition fits', () => {
    expect(planRetention(segs, { ...none, maxBytes: 250 }, 0, Infinity).count).toBe(2);
    expect(planRetention(segs, { ...none, maxBytes: 400 }, 0, Infinity).count).toBe(0);
  });

  it('keeps segments a registered group has not committed past', () => {
    expect(planRetention(segs, { ...none, maxBytes: 1 }, 0, 15).count).toBe(1);
    expect(planRetention(segs, { ...none, maxBytes: 1 }, 0, 0).count).toBe(0);
    expect(planRetention(segs, { ...none, maxBytes: 1 }, 0, 20).count).toBe(2);
  });

  it('past the hard limit deletes even what a group still needs, and says so', () => {
    const plan = planRetention(segs, { ...none, maxBytes: 100, hardMaxBytes: 250 }, 0, 0);
    expect(plan).toEqual({ count: 2, overrodeGroups: true });
    expect(planRetention(segs, { ...none, maxBytes: 100, hardMaxBytes: 250 }, 0, Infinity))
      .toEqual({ count: 3, overrodeGroups: false });
  });
});

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

async function filled(label: string, retention: object, clock: ManualClock, onError?: (e: TollgateError) => void) {
  const dir = await tempDir(label);
  dirs.push(dir);
  const log = await openEmbeddedLog({
    dir, partitions: 1, segmentBytes: 2048, clock, retention, ...(onError ? { onError } : {}),
  });
  for (let i = 0; i < 100; i++) {
    await log.append('t', [{ key: 'k', value: Buffer.alloc(100, i) }]);
    clock.advanceMs(1000);
  }
  return { log, pdir: path.join(dir, 't', '0') };
}

const segFiles = async (pdir: string) => (await readdir(pdir)).filter((n) => n.endsWith('.seg')).length;

describe('retention on disk', () => {
  it('deletes whole expired segments and keeps reading from the new start', async () => {
    const clock = new ManualClock();
    const { log, pdir } = await filled('age', { maxAgeMs: 30_000 }, clock);
    const before = await segFiles(pdir);
    const reports = await log.runRetention();
    expect(reports[0]?.deletedBaseOffsets.length).toBeGreaterThan(0);
    expect(await segFiles(pdir)).toBe(before - (reports[0]?.deletedBaseOffsets.length ?? 0));
    const start = reports[0]?.logStartOffset ?? 0;
    // Everything at least 30 s younger than now survived.
    expect(start).toBeLessThanOrEqual(70);
    const records = await collect(log, 't', 100 - start);
    expect(records[0]?.offset).toBe(start);
    expect(records.length).toBe(100 - start);
    await log.close();
  });

  it('does not delete what a group has not committed; deletes once it has', async () => {
    const clock = new ManualClock();
    const errors: TollgateError[] = [];
    const { log, pdir } = await filled('groups', { maxBytes: 4096 }, clock, (e) => errors.push(e));
    // A group that handled 10 records and then hangs pins the log from offset 10 on.
    let release!: () => void;
    const hanging = new Promise<void>((resolve) => { release = resolve; });
    let handled = 0;
    const consumer = await log.consume({ group: 'slow', topics: ['t'], maxBatchRecords: 10 }, async (batch) => {
      if (handled >= 10) await hanging;
      handled += batch.records.length;
    });
    while (handled < 10) await new Promise((r) => setTimeout(r, 5));
    const before = await segFiles(pdir);
    const pinned = await log.runRetention();
    expect(pinned[0]?.logStartOffset ?? 0).toBeLessThanOrEqual(10);
    release();
    while (handled < 100) await new Promise((r) => setTimeout(r, 5));
    await consumer.stop();
    const freed = await log.runRetention();
    expect(freed[0]?.deletedBaseOffsets.length).toBeGreaterThan(0);
    expect(await segFiles(pdir)).toBeLessThan(before);
    expect(errors).toEqual([]);
    await log.close();
  });

  it('over the hard limit deletes anyway and reports TG_ERR_LOG_RETENTION', async () => {
    const clock = new ManualClock();
    const errors: TollgateError[] = [];
    const { log, pdir } = await filled('hard', { maxBytes: 4096, hardMaxBytes: 6000 }, clock, (e) => errors.push(e));
    const c = await log.consume({ group: 'stuck', topics: ['t'] }, () => Promise.reject(new Error('stuck')));
    await log.runRetention();
    expect(await segFiles(pdir)).toBeLessThanOrEqual(4);
    expect(errors.map((e) => e.code)).toContain('TG_ERR_LOG_RETENTION');
    await c.stop();
    await log.close();
  });
});

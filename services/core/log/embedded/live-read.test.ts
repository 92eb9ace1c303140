import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import type { LogRecord } from '../port.js';
import { openEmbeddedLog } from './embedded-log.js';
import { tempDirsPerFile } from './testing-log.js';

const dir = tempDirsPerFile();

// Sizes cross the consumer's read size (2 KiB) and the segment size (4 KiB) in both directions.
const sizeOf = (i: number) => [10, 700, 2500, 5000, 90, 1500][i % 6] as number;
const value = (i: number) => Buffer.from(`${i}:`.padEnd(sizeOf(i), String.fromCharCode(97 + (i % 26))));
const check = (records: readonly LogRecord[]) => records.map((r) => {
  const i = Number(r.value.toString().split(':')[0]);
  expect(r.value.equals(value(i))).toBe(true); // never a partial or mixed record
  return i;
});

describe('embedded log read while written', () => {
  it('a consumer tailing the active segment during writes and rolls sees every record once, whole, in order', async () => {
    const log = await openEmbeddedLog({ dir: await dir('tail'), segmentBytes: 4096, partitions: 1, consumer: { maxBatchBytes: 2048, maxBatchRecords: 7 } });
    const seen: number[] = [];
    const consumer = await log.consume({ group: 'tail', topics: ['t'] }, (batch) => {
      seen.push(...check(batch.records));
      return Promise.resolve();
    });
    const n = 240;
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < n; i += 3) {
      writes.push(log.append('t', [i, i + 1, i + 2].map((j) => ({ key: 'k', value: value(j) }))));
      if (i % 12 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(writes);
    for (let t = 0; t < 500 && seen.length < n; t++) await new Promise((r) => setTimeout(r, 5));
    await consumer.stop();
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
    await log.close();
  });

  it('retention over the hard limit while a consumer lags: reported, then reading resumes whole and in order', async () => {
    const errors: unknown[] = [];
    const log = await openEmbeddedLog({
      dir: await dir('hardret'), segmentBytes: 4096, partitions: 1,
      retention: { maxAgeMs: 0, hardMaxBytes: 16_384, maxBytes: 8192 }, onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 60; i++) await log.append('t', [{ key: 'k', value: value(i) }]);
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const consumer = await log.consume({ group: 'slow', topics: ['t'], maxBatchRecords: 2 }, async (batch) => {
      seen.push(...check(batch.records));
      await gate; // lags on its first batch while retention runs
    });
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 2));
    const reports = await log.runRetention();
    expect(reports[0]?.overrodeGroups).toBe(true);
    release();
    for (let t = 0; t < 500 && seen.at(-1) !== 59; t++) await new Promise((r) => setTimeout(r, 5));
    await consumer.stop();
    expect(errors.some((e) => isTollgateError(e, 'TG_ERR_LOG_RETENTION'))).toBe(true);
    // No record twice, none out of order; the gap is exactly what retention deleted (and reported).
    for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThan(seen[k - 1] as number);
    expect(seen.at(-1)).toBe(59);
    const start = reports[0]?.logStartOffset ?? 0;
    expect(seen.filter((i) => i >= start)).toEqual(Array.from({ length: 60 - start }, (_, i) => start + i));
    await log.close();
  });
});

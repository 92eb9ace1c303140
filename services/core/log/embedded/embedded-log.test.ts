import { readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { TollgateError } from '../../errors.js';
import { isTollgateError } from '../../errors.js';
import type { LogRecord } from '../port.js';
import { openEmbeddedLog } from './embedded-log.js';
import { LOCK_FILE } from './lock-file.js';
import { probeIo } from './testing-io.js';
import { collect, tempDirsPerFile } from './testing-log.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

const dir = tempDirsPerFile();

const rec = (key: string, i: number) => ({ key, value: Buffer.from(`v${i}`.padEnd(100, '-')) });

describe('openEmbeddedLog options', () => {
  it('reports every bad field in one TG_ERR_CONFIG', async () => {
    const err = await openEmbeddedLog({ dir: '', partitions: 0, fsync: 'sometimes' as 'always', segmentBytes: -1 })
      .then(() => undefined, (e: unknown) => e as TollgateError);
    expect(isTollgateError(err, 'TG_ERR_CONFIG')).toBe(true);
    for (const field of ['dir', 'partitions', 'fsync', 'segmentBytes']) expect(err?.message).toContain(field);
  });

  it('rejects unknown fields instead of ignoring a typo', async () => {
    await expect(openEmbeddedLog({ dir: 'x', fsynk: 'never' } as unknown as { dir: string }))
      .rejects.toSatisfy((e: unknown) => isTollgateError(e, 'TG_ERR_CONFIG'));
  });
});

describe('directory lock', () => {
  it('refuses a second open of the same directory while the first is open', async () => {
    const d = await dir('lock');
    const first = await openEmbeddedLog({ dir: d });
    const err = await openEmbeddedLog({ dir: d }).then(() => undefined, (e: unknown) => e as TollgateError);
    expect(isTollgateError(err, 'TG_ERR_LOG_LOCKED')).toBe(true);
    expect(err?.message).toContain(String(process.pid));
    await first.close();
    const again = await openEmbeddedLog({ dir: d });
    await again.close();
  });

  it('takes over a lock left by a dead process', async () => {
    const d = await dir('stale');
    // pid 2^22+ is above Linux's default pid_max, so no process has it.
    await writeFile(path.join(d, LOCK_FILE), '4999999\n');
    const log = await openEmbeddedLog({ dir: d });
    expect((await readFile(path.join(d, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await log.close();
  });
});

describe('embedded log', () => {
  it('places keys on the partitions Kafka\'s default partitioner would', async () => {
    const log = await openEmbeddedLog({ dir: await dir('keys'), partitions: 6 });
    for (const key of ['a', 'session-1', 'session-2', 'ünïcode', '']) {
      expect(log.partitionFor('t', key)).toBe((kafkajsMurmur2(Buffer.from(key)) & 0x7fffffff) % 6);
    }
    await log.append('t', [rec('session-1', 0)]);
    const [r] = await collect(log, 't', 1);
    expect(r?.partition).toBe(log.partitionFor('t', 'session-1'));
    await log.close();
  });

  it('keeps the partition count a topic was created with across reopen', async () => {
    const d = await dir('count');
    let log = await openEmbeddedLog({ dir: d, partitions: 3 });
    await log.append('t', [rec('k', 0)]);
    await log.close();
    log = await openEmbeddedLog({ dir: d, partitions: 8 });
    expect(log.partitionFor('t', 'k')).toBe((kafkajsMurmur2(Buffer.from('k')) & 0x7fffffff) % 3);
    expect(await readdir(path.join(d, 't'))).toEqual(expect.arrayContaining(['0', '1', '2']));
    await log.close();
  });

  it('resumes a group from its committed offset after a restart', async () => {
    const d = await dir('resume');
    let log = await openEmbeddedLog({ dir: d });
    await log.append('t', Array.from({ length: 50 }, (_, i) => rec(`k${i % 5}`, i)));
    const seen: LogRecord[] = [];
    const consumer = await log.consume({ group: 'g', topics: ['t'], maxBatchRecords: 7 }, (batch) => {
      seen.push(...batch.records);
      return Promise.resolve();
    });
    while (seen.length < 50) await new Promise((r) => setTimeout(r, 10));
    await consumer.stop();
    await log.close();

    log = await openEmbeddedLog({ dir: d });
    await log.append('t', Array.from({ length: 10 }, (_, i) => rec(`k${i % 5}`, 50 + i)));
    const after: LogRecord[] = [];
    const c2 = await log.consume({ group: 'g', topics: ['t'] }, (batch) => {
      after.push(...batch.records);
      return Promise.resolve();
    });
    while (after.length < 10) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    await c2.stop();
    await log.close();
    expect(after.map((r) => r.value.toString().split('-')[0]).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `v${50 + i}`).sort());
  });

  it('seeks to a committed offset through the sparse index instead of reading from the start', async () => {
    const d = await dir('seek');
    const io = probeIo();
    let log = await openEmbeddedLog({ dir: d, partitions: 1, segmentBytes: 64 * 1024, io });
    const total = 5000;
    for (let i = 0; i < total; i += 500) {
      await log.append('t', Array.from({ length: 500 }, (_, j) => rec('k', i + j)));
    }
    await log.close();
    const segments = (await readdir(path.join(d, 't', '0'))).filter((n) => n.endsWith('.seg'));
    expect(segments.length).toBeGreaterThan(5);
    // Commit offset 4900 for group g by hand through a consumer that stops right away.
    await writeFile(path.join(d, '_groups', `${Buffer.from('g').toString('base64url')}.json`),
      JSON.stringify({ group: 'g', offsets: { t: { 0: 4900 } } }));
    const reading = probeIo();
    log = await openEmbeddedLog({ dir: d, partitions: 1, segmentBytes: 64 * 1024, io: reading });
    const opened = reading.counts.readBytes;
    const got: LogRecord[] = [];
    const consumer = await log.consume({ group: 'g', topics: ['t'] }, (batch) => {
      got.push(...batch.records);
      return Promise.resolve();
    });
    while (got.length < 100) await new Promise((r) => setTimeout(r, 10));
    await consumer.stop();
    await log.close();
    expect(got[0]?.offset).toBe(4900);
    const recordBytes = 127 + 1;
    // Recovery scans only the last segment; the seek reads about one index interval plus the 100 records.
    expect(reading.counts.readBytes - opened).toBeLessThan(100 * recordBytes + 2 * 4096 + 64 * 1024);
    expect(reading.counts.readBytes).toBeLessThan(total * recordBytes / 3);
  });

  it('reports a damaged closed segment to onError and does not skip past it', async () => {
    const d = await dir('corrupt-read');
    let log = await openEmbeddedLog({ dir: d, partitions: 1, segmentBytes: 4096 });
    await log.append('t', Array.from({ length: 200 }, (_, i) => rec('k', i)));
    await log.close();
    const first = path.join(d, 't', '0', '00000000000000000000.seg');
    const bytes = await readFile(first);
    bytes[1000] = (bytes[1000] as number) ^ 0x10;
    await writeFile(first, bytes);
    const errors: TollgateError[] = [];
    log = await openEmbeddedLog({ dir: d, partitions: 1, segmentBytes: 4096, consumer: { retryDelayMs: 10 }, onError: (e) => errors.push(e) });
    const got: LogRecord[] = [];
    const consumer = await log.consume({ group: 'g', topics: ['t'], maxBatchRecords: 1000 }, (batch) => {
      got.push(...batch.records);
      return Promise.resolve();
    });
    while (errors.length < 2) await new Promise((r) => setTimeout(r, 5));
    await consumer.stop();
    await log.close();
    expect(errors.every((e) => e.code === 'TG_ERR_LOG_CORRUPT')).toBe(true);
    const offsets = got.map((r) => r.offset);
    expect(offsets).toEqual([...Array(offsets.length).keys()]);
    expect(offsets.length).toBeLessThan(200);
  });

  it('spreads partitions over the members of one group, and hands them over when one leaves', async () => {
    const log = await openEmbeddedLog({ dir: await dir('members'), partitions: 4 });
    const owners = new Map<number, Set<string>>();
    const handler = (name: string) => (batch: { partition: number }) => {
      (owners.get(batch.partition) ?? owners.set(batch.partition, new Set()).get(batch.partition))?.add(name);
      return Promise.resolve();
    };
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const a = await log.consume({ group: 'g', topics: ['t'] }, handler('a'));
    const b = await log.consume({ group: 'g', topics: ['t'] }, handler('b'));
    await log.append('t', keys.map((k, i) => rec(k, i)));
    const all = await collect(log, 't', 40);
    while ([...owners.keys()].length < new Set(all.map((r) => r.partition)).size) await new Promise((r) => setTimeout(r, 10));
    for (const names of owners.values()) expect(names.size).toBe(1);
    expect(new Set([...owners.values()].flatMap((s) => [...s])).size).toBe(2);
    await b.stop();
    owners.clear();
    await log.append('t', keys.map((k, i) => rec(k, 100 + i)));
    while ([...owners.keys()].length < new Set(all.map((r) => r.partition)).size) await new Promise((r) => setTimeout(r, 10));
    expect([...owners.values()].every((s) => s.size === 1 && s.has('a'))).toBe(true);
    await a.stop();
    await log.close();
  });

  it('a commit beyond the end of the log (lost to a power cut) resumes at the end and is reported', async () => {
    const d = await dir('beyond');
    let log = await openEmbeddedLog({ dir: d, partitions: 1 });
    await log.append('t', [rec('k', 0)]);
    await log.close();
    await writeFile(path.join(d, '_groups', `${Buffer.from('g').toString('base64url')}.json`),
      JSON.stringify({ group: 'g', offsets: { t: { 0: 1000 } } }));
    const errors: TollgateError[] = [];
    log = await openEmbeddedLog({ dir: d, partitions: 1, onError: (e) => errors.push(e) });
    const got: LogRecord[] = [];
    const consumer = await log.consume({ group: 'g', topics: ['t'] }, (batch) => {
      got.push(...batch.records);
      return Promise.resolve();
    });
    await log.append('t', [rec('k', 1)]);
    while (got.length < 1) await new Promise((r) => setTimeout(r, 5));
    await consumer.stop();
    await log.close();
    expect(got.map((r) => r.offset)).toEqual([1]);
    expect(errors.map((e) => e.code)).toEqual(['TG_ERR_LOG_RETENTION']);
  });

  it('refuses oversized keys and values without writing anything', async () => {
    const log = await openEmbeddedLog({ dir: await dir('oversize'), maxRecordBytes: 1000 });
    await expect(log.append('t', [rec('k', 0), { key: 'k', value: Buffer.alloc(1001) }]))
      .rejects.toSatisfy((e: unknown) => isTollgateError(e, 'TG_ERR_MESSAGE_TOO_LARGE'));
    await expect(log.append('t', [{ key: 'x'.repeat(70_000), value: Buffer.alloc(1) }]))
      .rejects.toSatisfy((e: unknown) => isTollgateError(e, 'TG_ERR_MESSAGE_TOO_LARGE'));
    await log.append('t', [{ key: 'marker', value: Buffer.alloc(1000) }]);
    expect((await collect(log, 't', 1)).map((r) => r.key)).toEqual(['marker']);
    expect(log.stats().records).toBe(1);
    await log.close();
  });
});

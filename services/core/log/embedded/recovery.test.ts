import { cp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import { openEmbeddedLog } from './embedded-log.js';
import { encodeFrame } from './record-codec.js';
import { segmentPath } from './segment.js';
import { collect, readSegmentFiles, tempDir } from './testing-log.js';

const topic = 't';
const value = (i: number): Buffer => Buffer.from(`value-${i}`.padEnd(16, '.'));
const open = (dir: string, extra: { segmentBytes?: number } = {}) =>
  openEmbeddedLog({ dir, partitions: 1, ...extra });

let base = '';
let root = '';
let lastStart = 0;
let fileSize = 0;
const N = 10;

beforeAll(async () => {
  root = await tempDir('recovery');
  base = path.join(root, 'base');
  const log = await open(base);
  for (let i = 0; i < N; i++) await log.append(topic, [{ key: 'k', value: value(i) }]);
  await log.close();
  fileSize = (await stat(segFile(base))).size;
  lastStart = fileSize - encodeFrame(N - 1, 0, 'k', value(N - 1)).length;
});
afterAll(() => rm(root, { recursive: true, force: true }));

function segFile(dir: string, baseOffset = 0): string {
  return segmentPath(path.join(dir, topic, '0'), baseOffset);
}

async function copyOf(label: string): Promise<string> {
  const dir = path.join(root, label);
  await cp(base, dir, { recursive: true });
  return dir;
}

describe('recovery on open', () => {
  it('truncates a torn last record at every byte offset and keeps every earlier record', async () => {
    for (let cut = lastStart + 1; cut < fileSize; cut++) {
      const dir = await copyOf(`cut-${cut}`);
      await truncate(segFile(dir), cut);
      const log = await open(dir);
      expect(log.recovery.reduce((n, r) => n + r.tornBytes, 0), `cut at ${cut}`).toBe(cut - lastStart);
      expect((await stat(segFile(dir))).size).toBe(lastStart);
      await log.append(topic, [{ key: 'k', value: value(100) }]);
      const records = await collect(log, topic, N);
      await log.close();
      expect(records.map((r) => r.offset)).toEqual([...Array(N).keys()]);
      expect(records.map((r) => r.value.toString()).slice(0, N - 1)).toEqual([...Array(N - 1).keys()].map((i) => value(i).toString()));
      expect(records[N - 1]?.value.toString()).toBe(value(100).toString());
      await rm(dir, { recursive: true });
    }
  });

  it('truncates a last record whose bytes were damaged, and garbage or zeros after the last record', async () => {
    const damaged = await copyOf('damaged');
    const bytes = await readFile(segFile(damaged));
    bytes[fileSize - 3] = (bytes[fileSize - 3] as number) ^ 0xff;
    await writeFile(segFile(damaged), bytes);
    const zeros = await copyOf('zeros');
    await writeFile(segFile(zeros), Buffer.concat([await readFile(segFile(zeros)), Buffer.alloc(4096)]));
    for (const dir of [damaged, zeros]) {
      const log = await open(dir);
      const kept = dir === damaged ? N - 1 : N;
      expect((await readSegmentFiles(dir, topic, 0)).length).toBe(kept);
      expect((await collect(log, topic, kept)).length).toBe(kept);
      await log.close();
    }
  });

  it('refuses to open when a record in the middle is damaged and valid records follow', async () => {
    const dir = await copyOf('middle');
    const bytes = await readFile(segFile(dir));
    bytes[40] = (bytes[40] as number) ^ 0x01;
    await writeFile(segFile(dir), bytes);
    await expect(open(dir)).rejects.toSatisfy((err: unknown) => isTollgateError(err, 'TG_ERR_LOG_CORRUPT'));
    // Nothing was truncated: the operator still has every byte to inspect.
    expect((await stat(segFile(dir))).size).toBe(fileSize);
  });

  it('rebuilds a missing index of a closed segment and reports damage there as corruption', async () => {
    const dir = path.join(root, 'closed');
    let log = await open(dir, { segmentBytes: 1024 });
    for (let i = 0; i < 100; i++) await log.append(topic, [{ key: 'k', value: value(i) }]);
    await log.close();
    const pdir = path.join(dir, topic, '0');
    const idx = (await readdir(pdir)).filter((n) => n.endsWith('.idx'));
    expect(idx.length).toBeGreaterThan(1);
    await rm(path.join(pdir, idx[0] as string));
    log = await open(dir, { segmentBytes: 1024 });
    expect(log.recovery[0]?.rebuiltIndexes).toBe(1);
    expect((await collect(log, topic, 100)).map((r) => r.offset)).toEqual([...Array(100).keys()]);
    await log.close();

    await rm(path.join(pdir, idx[0] as string));
    const first = segFile(dir, 0);
    const bytes = await readFile(first);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 0x01;
    await writeFile(first, bytes);
    await expect(open(dir, { segmentBytes: 1024 })).rejects.toSatisfy((err: unknown) => isTollgateError(err, 'TG_ERR_LOG_CORRUPT'));
  });
});

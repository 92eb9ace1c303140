import { readdir, truncate, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import { openEmbeddedLog } from './embedded-log.js';
import type { LogIo } from './io.js';
import { LOCK_FILE } from './lock-file.js';
import { probeIo } from './testing-io.js';
import { collect, tempDirsPerFile } from './testing-log.js';

const dir = tempDirsPerFile();

const KEY = 'one-key';
const rec = (i: number, size = 100) => ({ key: KEY, value: Buffer.from(`v${i}:`.padEnd(size, '-')) });
const ids = (records: ReadonlyArray<{ value: Buffer }>) => records.map((r) => r.value.toString().split(':')[0] ?? '');
const errnoError = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
const rejectsWith = async (work: Promise<unknown>, code: 'TG_ERR_LOG_UNAVAILABLE' | 'TG_ERR_LOG_CORRUPT') => {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(isTollgateError(err, code)).toBe(true);
  return err as Error;
};

/** Real file system whose next writev or fsync fails once armed; counts fsyncs after the failure. */
function faultyIo(): LogIo & { arm(op: 'writev' | 'fsync', code: string): void; fsyncsAfterFailure: number } {
  const base = probeIo();
  let armed: { op: 'writev' | 'fsync'; code: string } | undefined;
  let failed = false;
  const io = {
    ...base,
    fsyncsAfterFailure: 0,
    arm(op: 'writev' | 'fsync', code: string) { armed = { op, code }; },
    writev: (fd: number, bufs: readonly Buffer[], pos: number) => {
      if (armed?.op === 'writev') { const code = armed.code; armed = undefined; failed = true; return Promise.reject(errnoError(code)); }
      return base.writev(fd, bufs, pos);
    },
    fsync: (fd: number) => {
      if (failed) io.fsyncsAfterFailure++;
      if (armed?.op === 'fsync') { const code = armed.code; armed = undefined; failed = true; return Promise.reject(errnoError(code)); }
      return base.fsync(fd);
    },
  };
  return io;
}

describe('embedded log under disk failures', () => {
  it('disk full (ENOSPC) on append: rejects with a clear error, acknowledges nothing more, keeps every acked record', async () => {
    const io = faultyIo();
    const d = await dir('enospc');
    const log = await openEmbeddedLog({ dir: d, io });
    await log.append('t', [rec(0), rec(1)]);
    io.arm('writev', 'ENOSPC');
    const err = await rejectsWith(log.append('t', [rec(2)]), 'TG_ERR_LOG_UNAVAILABLE');
    expect(err.message).toMatch(/ENOSPC/);
    await rejectsWith(log.append('t', [rec(3)]), 'TG_ERR_LOG_UNAVAILABLE');
    // Nothing unacknowledged became visible to consumers of this process.
    expect(ids(await collect(log, 't', 3, 300))).toEqual(['v0', 'v1']);
    await log.close();
    const reopened = await openEmbeddedLog({ dir: d });
    expect(ids(await collect(reopened, 't', 2)).slice(0, 2)).toEqual(['v0', 'v1']);
    await reopened.close();
  });

  it('fsync failure (EIO): rejects, never acks, and never fsyncs again (not even at close) to "succeed" on lost pages', async () => {
    const io = faultyIo();
    const d = await dir('eio');
    const log = await openEmbeddedLog({ dir: d, io });
    await log.append('t', [rec(0)]);
    io.arm('fsync', 'EIO');
    const err = await rejectsWith(log.append('t', [rec(1)]), 'TG_ERR_LOG_UNAVAILABLE');
    expect(err.message).toMatch(/EIO/);
    await rejectsWith(log.append('t', [rec(2)]), 'TG_ERR_LOG_UNAVAILABLE');
    await log.close();
    expect(io.fsyncsAfterFailure).toBe(0); // no retry on the same descriptor, which could "succeed" over dropped pages
    const reopened = await openEmbeddedLog({ dir: d });
    expect(ids(await collect(reopened, 't', 1))[0]).toBe('v0');
    await reopened.close();
  });

  it('an fsync failure while closing a full segment (roll) rejects the round; reopen finds no gap', async () => {
    const io = faultyIo();
    const d = await dir('rollfail');
    const log = await openEmbeddedLog({ dir: d, io, segmentBytes: 1024 });
    for (let i = 0; i < 8; i++) await log.append('t', [rec(i)]);
    io.arm('fsync', 'EIO');
    await rejectsWith(log.append('t', Array.from({ length: 10 }, (_, i) => rec(8 + i))), 'TG_ERR_LOG_UNAVAILABLE');
    await log.close();
    const reopened = await openEmbeddedLog({ dir: d, segmentBytes: 1024 });
    const got = ids(await collect(reopened, 't', 8));
    expect(got.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, i) => `v${i}`));
    await reopened.close();
  });
});

describe('embedded log: failures no append can carry', () => {
  it("an fsync failing on the 'interval' timer (acked records may be lost) is reported to onError and refuses appends", async () => {
    const io = faultyIo();
    const errors: unknown[] = [];
    const log = await openEmbeddedLog({ dir: await dir('interval-eio'), io, fsync: 'interval', fsyncIntervalMs: 10, onError: (e) => errors.push(e) });
    await log.append('t', [rec(0)]);
    io.arm('fsync', 'EIO');
    await log.append('t', [rec(1)]); // acknowledged after the write, before any fsync
    for (let i = 0; i < 400 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(errors.some((e) => isTollgateError(e, 'TG_ERR_LOG_UNAVAILABLE') && e.message.includes('EIO'))).toBe(true);
    await rejectsWith(log.append('t', [rec(2)]), 'TG_ERR_LOG_UNAVAILABLE');
    await log.close();
  });
});

describe('embedded log after crashes in the middle of housekeeping', () => {
  const fill = async (label: string, n: number) => {
    const d = await dir(label);
    const log = await openEmbeddedLog({ dir: d, segmentBytes: 1024 });
    for (let i = 0; i < n; i++) await log.append('t', [rec(i)]);
    await log.close();
    return { d, pdir: path.join(d, 't', String(log.partitionFor('t', KEY))) };
  };
  const files = async (pdir: string, ext: string) => (await readdir(pdir)).filter((n) => n.endsWith(ext)).sort();

  it('a torn index file of a closed segment is rebuilt, not trusted', async () => {
    const { d, pdir } = await fill('tornidx', 30);
    const idx = await files(pdir, '.idx');
    expect(idx.length).toBeGreaterThan(1);
    for (const f of idx) await truncate(path.join(pdir, f), 9);
    const log = await openEmbeddedLog({ dir: d, segmentBytes: 1024 });
    expect(ids(await collect(log, 't', 30))).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
    await log.close();
  });

  it('retention interrupted between deleting a segment and its index opens at the next segment', async () => {
    const { d, pdir } = await fill('retcrash', 30);
    const seg = (await files(pdir, '.seg'))[0] as string;
    await unlink(path.join(pdir, seg)); // its .idx is left behind, as a crash right after unlink leaves it
    const log = await openEmbeddedLog({ dir: d, segmentBytes: 1024 });
    const got = ids(await collect(log, 't', 20));
    const first = Number(got[0]?.slice(1));
    expect(first).toBeGreaterThan(0);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => `v${first + i}`));
    await log.close();
  });

  it('a leftover temporary offsets file (crash during a commit) leaves the committed offsets intact', async () => {
    const d = await dir('grouptmp');
    const log = await openEmbeddedLog({ dir: d });
    await log.append('t', [rec(0), rec(1), rec(2)]);
    let seen = 0;
    const c = await log.consume({ group: 'g', topics: ['t'], maxBatchRecords: 2 }, (b) => {
      seen += b.records.length;
      return Promise.resolve();
    });
    while (seen < 3) await new Promise((r) => setTimeout(r, 5));
    await c.stop();
    await log.close();
    const groupsDir = path.join(d, '_groups');
    const [name] = await readdir(groupsDir);
    await writeFile(path.join(groupsDir, `${name}.tmp-99999`), '{"group":"g","offs');
    const again = await openEmbeddedLog({ dir: d });
    await again.append('t', [rec(3)]);
    const got: string[] = [];
    const c2 = await again.consume({ group: 'g', topics: ['t'] }, (b) => {
      got.push(...ids(b.records));
      return Promise.resolve();
    });
    while (got.length < 1) await new Promise((r) => setTimeout(r, 5));
    await c2.stop();
    expect(got).toEqual(['v3']);
    await again.close();
  });

  it('a lost topic.json with segments on disk is refused, never overwritten from offset 0', async () => {
    const { d } = await fill('nometa', 5);
    await unlink(path.join(d, 't', 'topic.json'));
    await rejectsWith(openEmbeddedLog({ dir: d, segmentBytes: 1024 }), 'TG_ERR_LOG_CORRUPT');
  });

  it('a lock file with garbage in it (a crash while creating it elsewhere) is taken over', async () => {
    const d = await dir('garbagelock');
    const log = await openEmbeddedLog({ dir: d });
    await log.close();
    await writeFile(path.join(d, LOCK_FILE), 'not a pid');
    const again = await openEmbeddedLog({ dir: d });
    await again.close();
  });
});

describe('embedded log edge records', () => {
  it('records larger than a segment each get their own segment and survive a reopen in order', async () => {
    const d = await dir('huge');
    const log = await openEmbeddedLog({ dir: d, segmentBytes: 1024 });
    await log.append('t', [rec(0, 50), rec(1, 5000), rec(2, 50), rec(3, 3000)]);
    await log.append('t', [rec(4, 4000)]);
    await log.close();
    const again = await openEmbeddedLog({ dir: d, segmentBytes: 1024 });
    const got = await collect(again, 't', 5);
    expect(ids(got)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    expect(got.map((r) => r.value.length)).toEqual([50, 5000, 50, 3000, 4000]);
    await again.close();
  });

  it('timestamps that go backwards (clock stepped back) keep offset order and their own values', async () => {
    const d = await dir('clockback');
    const log = await openEmbeddedLog({ dir: d });
    const stamps = [5_000_000, 4_000_000, 6_000_000, 1_000];
    for (const [i, ts] of stamps.entries()) await log.append('t', [{ ...rec(i), timestampMs: ts }]);
    const got = await collect(log, 't', 4);
    expect(ids(got)).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect(got.map((r) => r.timestampMs)).toEqual(stamps);
    await log.close();
  });
});

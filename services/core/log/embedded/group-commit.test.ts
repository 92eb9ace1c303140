import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import { openEmbeddedLog } from './embedded-log.js';
import { probeIo } from './testing-io.js';
import { collect, readSegmentFiles, tempDirsPerFile } from './testing-log.js';

const dir = tempDirsPerFile();

const rec = (i: number) => ({ key: 'one-key', value: Buffer.alloc(200, i % 256) });

describe('group commit (fsync always)', () => {
  it('N concurrent appends share fsyncs, and each resolves only after an fsync that followed its write', async () => {
    const io = probeIo();
    const log = await openEmbeddedLog({ dir: await dir('group'), io });
    await log.append('t', [rec(0)]); // creates the files; not counted below
    const fsyncsBefore = io.counts.fsync;
    const writesBefore = io.counts.writev;
    const n = 200;
    const acks = Array.from({ length: n }, (_, i) => log.append('t', [rec(i)]).then(() => {
      io.trace.push('ack');
    }));
    await Promise.all(acks);
    const fsyncs = io.counts.fsync - fsyncsBefore;
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThan(n / 10);
    expect(io.counts.writev - writesBefore).toBeLessThan(n / 10);
    // Every ack comes after an fsync, and no write sits between that fsync and the ack.
    let lastEvent = '';
    for (const ev of io.trace) {
      if (ev === 'ack') expect(['fsync', 'ack']).toContain(lastEvent);
      lastEvent = ev;
    }
    expect((await readSegmentFiles(log.options.dir, 't', log.partitionFor('t', 'one-key'))).length).toBe(n + 1);
    await log.close();
  });

  it("'interval' and 'never' acknowledge after the write without an fsync per round", async () => {
    for (const fsync of ['interval', 'never'] as const) {
      const io = probeIo();
      const log = await openEmbeddedLog({ dir: await dir(fsync), io, fsync, fsyncIntervalMs: 60_000 });
      await log.append('t', [rec(0)]);
      const before = io.counts.fsync;
      for (let i = 0; i < 20; i++) await log.append('t', [rec(i)]);
      expect(io.counts.fsync - before).toBe(0);
      expect(log.stats().fsyncs).toBe(0);
      const closeFsyncs = io.counts.fsync;
      await log.close();
      // close() still makes everything durable.
      expect(io.counts.fsync).toBeGreaterThan(closeFsyncs);
    }
  });
});

describe('write failures and interval sync', () => {
  it('a failed write rejects the round with TG_ERR_LOG_UNAVAILABLE and refuses later appends', async () => {
    const io = probeIo();
    let fail = false;
    const failing = { ...io, writev: (fd: number, bufs: readonly Buffer[], pos: number) =>
      (fail ? Promise.reject(Object.assign(new Error('no space left'), { code: 'ENOSPC' })) : io.writev(fd, bufs, pos)) };
    const log = await openEmbeddedLog({ dir: await dir('enospc'), io: failing });
    await log.append('t', [rec(0)]);
    fail = true;
    await expect(log.append('t', [rec(1)])).rejects.toSatisfy((e: unknown) => isTollgateError(e, 'TG_ERR_LOG_UNAVAILABLE'));
    fail = false;
    await expect(log.append('t', [rec(2)])).rejects.toSatisfy((e: unknown) => isTollgateError(e, 'TG_ERR_LOG_UNAVAILABLE'));
    await log.close();
    const reopened = await openEmbeddedLog({ dir: log.options.dir });
    expect((await collect(reopened, 't', 1)).length).toBe(1);
    await reopened.close();
  });

  it("'interval' fsyncs written data on its timer", async () => {
    const io = probeIo();
    const log = await openEmbeddedLog({ dir: await dir('interval-tick'), io, fsync: 'interval', fsyncIntervalMs: 10 });
    await log.append('t', [rec(0)]);
    const before = io.counts.fsync;
    await log.append('t', [rec(1)]);
    while (io.counts.fsync === before) await new Promise((r) => setTimeout(r, 5));
    expect(log.stats().fsyncs).toBeGreaterThan(0);
    await log.close();
  });
});

describe('backpressure', () => {
  it("'refuse' rejects with TG_ERR_LOG_BACKPRESSURE while pending bytes are at the bound, and loses nothing accepted", async () => {
    const io = probeIo();
    const log = await openEmbeddedLog({ dir: await dir('refuse'), io, backpressure: 'refuse', maxPendingBytes: 4096 });
    await log.append('t', [rec(0)]);
    io.gate.close();
    const accepted: Promise<void>[] = [];
    let refused = 0;
    for (let i = 1; i <= 40; i++) {
      const p = log.append('t', [rec(i)]);
      accepted.push(p.catch((err: unknown) => {
        if (!isTollgateError(err, 'TG_ERR_LOG_BACKPRESSURE')) throw err;
        refused++;
      }));
      // Let the writer take the first round so later appends pile up behind the gate.
      if (i === 1) await new Promise((r) => setImmediate(r));
    }
    io.gate.open();
    await Promise.all(accepted);
    expect(refused).toBeGreaterThan(0);
    const stored = await collect(log, 't', 41 - refused);
    expect(stored.length).toBe(41 - refused);
    await log.close();
  });

  it("'block' makes appends wait for room, then writes all of them in call order", async () => {
    const io = probeIo();
    const log = await openEmbeddedLog({ dir: await dir('block'), io, maxPendingBytes: 4096 });
    await log.append('t', [rec(0)]);
    io.gate.close();
    let resolved = 0;
    const appends: Promise<void>[] = [];
    for (let i = 1; i <= 60; i++) {
      appends.push(log.append('t', [{ key: 'one-key', value: Buffer.from(String(i).padStart(200, '0')) }]).then(() => { resolved++; }));
      if (i === 1) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(0);
    // Bounded: only what fits in maxPendingBytes was encoded while the writer was stuck.
    expect(log.stats().records).toBeLessThan(1 + 60);
    io.gate.open();
    await Promise.all(appends);
    const stored = await collect(log, 't', 61);
    expect(stored.slice(1).map((r) => Number(r.value.toString()))).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    await log.close();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTollgateError, TollgateError } from '../errors.js';
import type { AppendRecord, EventLog } from '../log/port.js';
import { DiskSpool } from './disk-spool.js';
import { RecordingSink, type SinkState } from './sink.js';

/** A log that can be down, hang (never settle), or take a while; it keeps what it accepted. */
class FaultyLog implements EventLog {
  mode: 'up' | 'down' | 'hang' = 'up';
  delayMs = 0;
  accepted: AppendRecord[] = [];
  async append(_topic: string, records: readonly AppendRecord[]): Promise<void> {
    if (this.mode === 'down') throw new TollgateError('TG_ERR_LOG_UNAVAILABLE', 'broker down');
    if (this.mode === 'hang') return new Promise<void>(() => undefined);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    this.accepted.push(...records);
  }
  consume(): never {
    throw new Error('not used');
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  values(): string[] {
    return this.accepted.map((r) => r.value.toString());
  }
}

const opts = { topic: 't', maxPendingBytes: 1 << 20, retryDelayMs: 5 };
const write = (sink: RecordingSink, from: number, to: number) => {
  for (let i = from; i < to; i++) sink.write(`s${i % 4}`, Buffer.from(String(i)));
};
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
};

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tg-sink-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('RecordingSink under failure', () => {
  it('close while degraded without a spool rejects in bounded time, naming the undelivered frames', async () => {
    const log = new FaultyLog();
    log.mode = 'down';
    const sink = new RecordingSink(log, { ...opts, maxPendingBytes: 10 });
    write(sink, 0, 30);
    await until(() => sink.state === 'degraded');
    const waiting = sink.ready();
    const err: unknown = await sink.close(50).then(() => undefined, (e: unknown) => e);
    expect(isTollgateError(err, 'TG_ERR_LOG_UNAVAILABLE')).toBe(true);
    expect((err as TollgateError).context.undelivered).toBe(30);
    await waiting; // writers blocked on backpressure are released, not left hanging
    expect(() => sink.write('s', Buffer.from('x'))).toThrow(/closed/);
    log.mode = 'up';
    await new Promise((r) => setTimeout(r, 30));
    expect(log.accepted.length).toBe(0); // it stopped retrying once it reported the loss
  });

  it('close while degraded with a spool resolves: every frame is in the spool', async () => {
    const log = new FaultyLog();
    const dir = await tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    const sink = new RecordingSink(log, { ...opts, spool });
    log.mode = 'down';
    write(sink, 0, 20);
    await sink.close(1000);
    const again = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    expect(again.size()).toBe(20);
    await again.close();
  });

  it('a log append that never settles times out: the sink degrades and spools instead of wedging', async () => {
    const log = new FaultyLog();
    const dir = await tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    const sink = new RecordingSink(log, { ...opts, spool, appendTimeoutMs: 20 });
    log.mode = 'hang';
    write(sink, 0, 10);
    await until(() => sink.state === 'degraded');
    await sink.flush();
    expect(spool.size()).toBe(10);
    write(sink, 10, 15);
    log.mode = 'up';
    await until(() => spool.size() === 0 && sink.state === 'healthy');
    await sink.flush();
    expect(log.values()).toEqual(range(0, 15));
    await sink.close();
  });

  it('without a spool, a hung append degrades the sink (strict sessions refused) and is retried', async () => {
    const log = new FaultyLog();
    const sink = new RecordingSink(log, { ...opts, appendTimeoutMs: 20 });
    log.mode = 'hang';
    write(sink, 0, 3);
    await until(() => sink.state === 'degraded');
    expect(sink.admits('strict')).toBe(false);
    log.mode = 'up';
    await sink.flush();
    expect(log.values()).toEqual(range(0, 3));
    expect(sink.state).toBe('healthy');
  });

  it('drains frames a spool kept from an earlier run before any new frame', async () => {
    const dir = await tempDir();
    const first = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await first.append(range(0, 5).map((v) => ({ key: 'old', value: Buffer.from(v) })));
    await first.close();
    const log = new FaultyLog();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    const sink = new RecordingSink(log, { ...opts, spool });
    write(sink, 5, 10);
    await sink.flush();
    await until(() => spool.size() === 0);
    expect(log.values()).toEqual(range(0, 10));
    await sink.close();
  });

  it('leftover spooled frames drain on their own even when nothing new is written', async () => {
    const dir = await tempDir();
    const first = await DiskSpool.open({ dir, maxBytes: 1 << 20 });
    await first.append(range(0, 3).map((v) => ({ key: 'old', value: Buffer.from(v) })));
    await first.close();
    const log = new FaultyLog();
    const sink = new RecordingSink(log, { ...opts, spool: await DiskSpool.open({ dir, maxBytes: 1 << 20 }) });
    await until(() => log.accepted.length === 3);
    expect(log.values()).toEqual(range(0, 3));
    await sink.close();
  });

  it('never reports healthy while the log is down, even when an empty spool "drains"', async () => {
    const log = new FaultyLog();
    const dir = await tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 }); // full at once
    const sink = new RecordingSink(log, { ...opts, spool });
    const states: SinkState[] = [];
    sink.on('state', (s) => states.push(s));
    log.mode = 'down';
    write(sink, 0, 2);
    await until(() => sink.state === 'failed');
    await new Promise((r) => setTimeout(r, 40)); // several retry rounds
    expect(states).not.toContain('healthy');
    log.mode = 'up';
    await sink.flush();
    expect(log.values()).toEqual(range(0, 2));
    expect(sink.state).toBe('healthy');
    await sink.close();
  });

  it('keeps per-session order and loses nothing across repeated outages with frames arriving during drain', async () => {
    const log = new FaultyLog();
    log.delayMs = 1;
    const dir = await tempDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 1 << 22 });
    const sink = new RecordingSink(log, { ...opts, spool, retryDelayMs: 2 });
    let n = 0;
    for (let round = 0; round < 12; round++) {
      log.mode = round % 3 === 1 ? 'down' : 'up';
      for (let i = 0; i < 25; i++) {
        write(sink, n, n + 4);
        n += 4;
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    }
    log.mode = 'up';
    await sink.flush();
    await until(() => spool.size() === 0);
    await sink.flush();
    // Nothing here times out, so every frame arrives exactly once and in write order.
    expect(log.values()).toEqual(range(0, n));
    await sink.close();
  });

  it('many sessions writing while overloaded: memory stays near the bound and each session keeps its order', async () => {
    const log = new FaultyLog();
    log.delayMs = 2;
    const bound = 4096;
    const sink = new RecordingSink(log, { ...opts, maxPendingBytes: bound });
    let peak = 0;
    const session = async (s: number) => {
      for (let i = 0; i < 40; i++) {
        if (sink.overloaded) await sink.ready(); // what the protocol adapters do before reading more
        sink.write(`s${s}`, Buffer.from(`${s}:${i}`.padEnd(64, '.')));
        peak = Math.max(peak, sink.undelivered * 64);
        if (i % 7 === 0) await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all(Array.from({ length: 50 }, (_, s) => session(s)));
    await sink.flush();
    // Writers check before each write, so at most one frame per writer lands above the bound.
    expect(peak).toBeLessThanOrEqual(bound + 50 * 64);
    const perSession = new Map<string, number[]>();
    for (const r of log.accepted) {
      const [s, i] = r.value.toString().replace(/\.+$/, '').split(':');
      const list = perSession.get(s ?? '') ?? [];
      list.push(Number(i));
      perSession.set(s ?? '', list);
    }
    expect(perSession.size).toBe(50);
    for (const list of perSession.values()) expect(list).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await sink.close();
  });
});

import { describe, expect, it } from 'vitest';
import { isTollgateError, TollgateError } from '../errors.js';
import type { AppendRecord, EventLog } from '../log/port.js';
import { RecordingSink, type SinkState, type Spool } from './sink.js';

/** An EventLog whose availability the test switches; it only records what it accepted. */
class SwitchableLog implements EventLog {
  up = true;
  appends: AppendRecord[][] = [];
  append(_topic: string, records: readonly AppendRecord[]): Promise<void> {
    if (!this.up) return Promise.reject(new TollgateError('TG_ERR_LOG_UNAVAILABLE', 'broker down'));
    this.appends.push([...records]);
    return Promise.resolve();
  }
  consume(): never {
    throw new Error('not used');
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  get values(): string[] {
    return this.appends.flat().map((r) => r.value.toString());
  }
}

/** In-memory spool with a record limit, standing in for the disk spool in these unit tests. */
class ArraySpool implements Spool {
  records: AppendRecord[] = [];
  constructor(private readonly limit: number) {}
  append(records: readonly AppendRecord[]): Promise<void> {
    if (this.records.length + records.length > this.limit) {
      return Promise.reject(new TollgateError('TG_ERR_LOG_BACKPRESSURE', 'spool full'));
    }
    this.records.push(...records);
    return Promise.resolve();
  }
  async drain(deliver: (records: readonly AppendRecord[]) => Promise<void>): Promise<void> {
    while (this.records.length > 0) {
      const batch = this.records.slice(0, 3);
      await deliver(batch);
      this.records.splice(0, batch.length);
    }
  }
  size(): number {
    return this.records.length;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const opts = { topic: 't', maxPendingBytes: 1 << 20, retryDelayMs: 5 };
const write = (sink: RecordingSink, from: number, to: number) => {
  for (let i = from; i < to; i++) sink.write(`s${i % 3}`, Buffer.from(String(i)));
};
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
};

describe('RecordingSink', () => {
  it('batches frames written in one tick into one append, in order', async () => {
    const log = new SwitchableLog();
    const sink = new RecordingSink(log, opts);
    write(sink, 0, 500);
    await sink.flush();
    expect(log.appends.length).toBe(1);
    expect(log.values).toEqual(range(0, 500));
  });

  it('keeps a failed batch and retries it: nothing is dropped, order is kept', async () => {
    const log = new SwitchableLog();
    const sink = new RecordingSink(log, opts);
    const states: SinkState[] = [];
    sink.on('state', (s) => states.push(s));
    log.up = false;
    write(sink, 0, 10);
    await until(() => sink.state === 'degraded');
    write(sink, 10, 20);
    log.up = true;
    await sink.flush();
    expect(log.values).toEqual(range(0, 20));
    expect(states).toEqual(['degraded', 'healthy']);
  });

  it('refuses strict sessions while degraded and admits them again after recovery', async () => {
    const log = new SwitchableLog();
    const sink = new RecordingSink(log, opts);
    log.up = false;
    write(sink, 0, 1);
    await until(() => sink.state === 'degraded');
    expect(sink.admits('strict')).toBe(false);
    expect(sink.admits('buffered')).toBe(false); // no spool configured: buffered cannot buffer
    let refused: unknown;
    try {
      sink.assertAdmits('strict');
    } catch (err) {
      refused = err;
    }
    expect(isTollgateError(refused, 'TG_ERR_RECORDING_REFUSED')).toBe(true);
    log.up = true;
    await sink.flush();
    expect(sink.admits('strict')).toBe(true);
  });

  it('spools while the log is down, then drains the spool in order before new frames', async () => {
    const log = new SwitchableLog();
    const spool = new ArraySpool(1000);
    const sink = new RecordingSink(log, { ...opts, spool });
    write(sink, 0, 5);
    await sink.flush();
    log.up = false;
    write(sink, 5, 40);
    await sink.flush();
    expect(sink.state).toBe('degraded');
    expect(spool.size()).toBe(35);
    expect(sink.admits('buffered')).toBe(true);
    expect(sink.admits('strict')).toBe(false);
    log.up = true;
    write(sink, 40, 45);
    await sink.flush();
    await until(() => sink.state === 'healthy');
    expect(log.values).toEqual(range(0, 45));
    expect(spool.size()).toBe(0);
  });

  it('drains the spool on its own when no new frames arrive', async () => {
    const log = new SwitchableLog();
    const spool = new ArraySpool(1000);
    const sink = new RecordingSink(log, { ...opts, spool });
    log.up = false;
    write(sink, 0, 7);
    await sink.flush();
    log.up = true;
    await until(() => spool.size() === 0 && sink.state === 'healthy');
    expect(log.values).toEqual(range(0, 7));
  });

  it('fails, refusing every session, when the spool is full; frames are kept, not dropped', async () => {
    const log = new SwitchableLog();
    const spool = new ArraySpool(4);
    const sink = new RecordingSink(log, { ...opts, spool });
    log.up = false;
    write(sink, 0, 3);
    await sink.flush();
    write(sink, 3, 10);
    await until(() => sink.state === 'failed');
    expect(sink.admits('buffered')).toBe(false);
    expect(sink.admits('strict')).toBe(false);
    log.up = true;
    await until(() => sink.state === 'healthy' && spool.size() === 0);
    await sink.flush();
    expect(log.values).toEqual(range(0, 10));
  });

  it('signals backpressure above its memory bound and releases writers when it drains', async () => {
    const log = new SwitchableLog();
    const sink = new RecordingSink(log, { ...opts, maxPendingBytes: 100 });
    log.up = false;
    for (let i = 0; i < 20; i++) sink.write('k', Buffer.alloc(10));
    expect(sink.overloaded).toBe(true);
    let released = false;
    const waiting = sink.ready().then(() => {
      released = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(false);
    log.up = true;
    await waiting;
    await sink.flush();
    expect(released).toBe(true);
    expect(log.appends.flat().length).toBe(20);
  });
});

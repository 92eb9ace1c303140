import type { ConsumedBatch, LogRecord } from '../port.js';

/**
 * Records what a consumer's handler saw and lets a test wait, without polling, until a condition
 * holds. `handled` holds only records whose handler call resolved (i.e. the adapter may commit them).
 */
export class Collector {
  readonly delivered: LogRecord[] = [];
  readonly handled: LogRecord[] = [];
  batches = 0;
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  /** Wraps an inner handler: every delivery is recorded, and `handled` only after it resolved. */
  handler(inner?: (batch: ConsumedBatch) => Promise<void>): (batch: ConsumedBatch) => Promise<void> {
    return async (batch) => {
      this.batches++;
      this.delivered.push(...batch.records);
      this.notify();
      if (inner) await inner(batch);
      this.handled.push(...batch.records);
      this.notify();
    };
  }

  /**
   * Resolves once check() is true; rejects after timeoutMs with `what` and the progress so far.
   * check() is re-evaluated only when this collector records something, so it must not depend on
   * another collector that is still receiving (share one collector instead).
   */
  waitFor(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} ` +
          `(delivered ${this.delivered.length}, handled ${this.handled.length}, batches ${this.batches})`));
      }, timeoutMs);
      const waiter = { check, resolve: () => { clearTimeout(timer); resolve(); } };
      this.waiters.push(waiter);
    });
  }

  /** Waits until at least n distinct (key, seq) values were handled. */
  waitForHandled(n: number, timeoutMs: number): Promise<void> {
    return this.waitFor(() => distinctCount(this.handled) >= n, `${n} handled records`, timeoutMs);
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.check());
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

/** Values carry a sequence number (uint32 BE) first, then optional padding. */
export function encodeValue(seq: number, padBytes = 0): Buffer {
  const value = Buffer.alloc(4 + padBytes, 0x61);
  value.writeUInt32BE(seq, 0);
  return value;
}

export function seqOf(record: LogRecord): number {
  return record.value.readUInt32BE(0);
}

/** Identity of a logical record, stable across redeliveries. */
export function idOf(record: LogRecord): string {
  return `${record.key}#${seqOf(record)}`;
}

export function distinctCount(records: readonly LogRecord[]): number {
  return new Set(records.map(idOf)).size;
}

/** Sequence numbers per key in delivery order. */
export function seqsByKey(records: readonly LogRecord[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const r of records) {
    const list = byKey.get(r.key);
    if (list) list.push(seqOf(r));
    else byKey.set(r.key, [seqOf(r)]);
  }
  return byKey;
}

/** Drops repeats of already seen values, keeping first-occurrence order. */
export function firstOccurrences(seqs: readonly number[]): number[] {
  const seen = new Set<number>();
  return seqs.filter((s) => (seen.has(s) ? false : (seen.add(s), true)));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve/reject exposed, for handlers a test releases by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

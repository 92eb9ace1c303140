import { expect } from 'vitest';
import type { AppendRecord, EventLog, LogRecord } from '../port.js';
import type { ContractCase } from './case.js';
import { Collector, encodeValue, idOf, seqsByKey, sleep } from './collector.js';

/** Happy-path delivery: order, fields, volume, slow handlers, independent groups. */
export const deliveryCases: readonly ContractCase[] = [
  {
    id: 'per-key-order',
    title: 'several keys interleaved over concurrent appends arrive per key in append order',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('order');
      const keys = ['sess-a', 'sess-b', 'sess-c', 'sess-d', 'sess-e'];
      const next = new Map<string, number>();
      const appends: Promise<void>[] = [];
      for (let a = 0; a < 10; a++) {
        const records: AppendRecord[] = [];
        for (let i = 0; i < 100; i++) {
          const key = keys[(a * 3 + i) % keys.length] ?? 'sess-a';
          const seq = next.get(key) ?? 0;
          next.set(key, seq + 1);
          records.push({ key, value: encodeValue(seq) });
        }
        appends.push(log.append(topic, records)); // issued without waiting: call order is append order
      }
      await Promise.all(appends);

      const c = new Collector();
      const oversized: number[] = [];
      const consumer = await log.consume({ group: ctx.name('g'), topics: [topic], maxBatchRecords: 64 },
        c.handler((batch) => {
          if (batch.records.length > 64 || batch.records.length === 0) oversized.push(batch.records.length);
          for (const r of batch.records) {
            if (r.topic !== batch.topic || r.partition !== batch.partition) oversized.push(-1);
          }
          return Promise.resolve();
        }));
      await c.waitForHandled(1000, ctx.timeoutMs);
      await consumer.stop();
      await consumer.stop(); // stop is idempotent

      expect(oversized, 'batches must be non-empty, ≤ maxBatchRecords, one topic-partition').toEqual([]);
      const byKey = seqsByKey(c.delivered);
      for (const key of keys) {
        expect(byKey.get(key), `order of ${key}`).toEqual(range(next.get(key) ?? 0));
        expect(new Set(c.delivered.filter((r) => r.key === key).map((r) => r.partition)).size,
          `${key} stays on one partition`).toBe(1);
      }
      expectOffsetsAscend(c.delivered);
    },
  },
  {
    id: 'record-fields',
    title: 'key, binary value, empty value and timestamps round-trip',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('fields');
      const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const fixedMs = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
      const before = Date.now();
      await log.append(topic, [
        { key: 'sess-ü-🙂', value: binary, timestampMs: fixedMs },
        { key: 'sess-ü-🙂', value: Buffer.alloc(0) },
      ]);
      const after = Date.now();
      const c = new Collector();
      const consumer = await log.consume({ group: ctx.name('g'), topics: [topic] }, c.handler());
      await c.waitFor(() => c.handled.length >= 2, '2 records', ctx.timeoutMs);
      await consumer.stop();

      const [first, second] = c.delivered;
      expect(first?.topic).toBe(topic);
      expect(first?.key).toBe('sess-ü-🙂');
      expect(Buffer.compare(first?.value ?? Buffer.alloc(1), binary)).toBe(0);
      expect(first?.timestampMs).toBe(fixedMs);
      expect(second?.value.length).toBe(0);
      expect(second?.timestampMs).toBeGreaterThanOrEqual(before - 1000); // clocks may step slightly
      expect(second?.timestampMs).toBeLessThanOrEqual(after + 1000);
      expect(second?.offset).toBeGreaterThan(first?.offset ?? Infinity);
    },
  },
  {
    id: 'large-batch',
    title: 'one append of 10,000 records (about 5 MB) arrives complete and in order',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('large');
      const keys = Array.from({ length: 16 }, (_, i) => `bulk-${i}`);
      const records: AppendRecord[] = [];
      for (let i = 0; i < 10_000; i++) {
        records.push({ key: keys[i % keys.length] ?? 'bulk-0', value: encodeValue(Math.floor(i / keys.length), 500) });
      }
      await log.append(topic, records);
      const c = new Collector();
      const consumer = await log.consume({ group: ctx.name('g'), topics: [topic] }, c.handler());
      await c.waitForHandled(10_000, ctx.timeoutMs * 2);
      await consumer.stop();
      const byKey = seqsByKey(c.delivered);
      for (const key of keys) expect(byKey.get(key), `order of ${key}`).toEqual(range(625));
      expect(c.delivered.every((r) => r.value.length === 504)).toBe(true);
    },
  },
  {
    id: 'slow-consumer',
    title: 'a handler slower than the producer still gets everything, in order',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('slow');
      const keys = ['slow-a', 'slow-b', 'slow-c'];
      await log.append(topic, keys.map((key) => ({ key, value: encodeValue(0) })));
      const c = new Collector();
      const consumer = await log.consume({ group: ctx.name('g'), topics: [topic], maxBatchRecords: 10 },
        c.handler(() => sleep(25)));
      for (let round = 1; round <= 60; round++) {
        await log.append(topic, keys.map((key) => ({ key, value: encodeValue(round) })));
        if (round % 10 === 0) await sleep(5);
      }
      await c.waitForHandled(61 * keys.length, ctx.timeoutMs * 2);
      await consumer.stop();
      const byKey = seqsByKey(c.delivered);
      for (const key of keys) expect(byKey.get(key), `order of ${key}`).toEqual(range(61));
    },
  },
  {
    id: 'independent-groups',
    title: 'two groups each get every record; one group\'s commits do not move the other',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('groups');
      const [groupA, groupB] = [ctx.name('ga'), ctx.name('gb')];
      await appendSeqs(log, topic, ['k1', 'k2'], 0, 100);
      const a1 = new Collector();
      const b = new Collector();
      const consumerA = await log.consume({ group: groupA, topics: [topic], maxBatchRecords: 10 }, a1.handler());
      const consumerB = await log.consume({ group: groupB, topics: [topic], maxBatchRecords: 10 }, b.handler());
      await a1.waitForHandled(40, ctx.timeoutMs);
      await consumerA.stop();
      await b.waitForHandled(200, ctx.timeoutMs);

      await appendSeqs(log, topic, ['k1', 'k2'], 100, 150);
      await b.waitForHandled(300, ctx.timeoutMs);
      await consumerB.stop();

      const a2 = new Collector();
      const consumerA2 = await log.consume({ group: groupA, topics: [topic] }, a2.handler());
      await a2.waitFor(() => new Set([...a1.handled, ...a2.handled].map(idOf)).size >= 300,
        'group A to cover all 300 records', ctx.timeoutMs);
      await consumerA2.stop();

      const committedByA = new Set(a1.handled.map(idOf));
      expect(a2.delivered.filter((r) => committedByA.has(idOf(r))).map(idOf), 'no redelivery to A').toEqual([]);
      for (const [key, seqs] of seqsByKey(b.delivered)) expect(seqs, `group B order of ${key}`).toEqual(range(150));
    },
  },
];

export function range(n: number, from = 0): number[] {
  return Array.from({ length: n - from }, (_, i) => from + i);
}

/** Appends seq values [from, to) for each key, interleaved, in one append. */
export async function appendSeqs(log: EventLog, topic: string, keys: readonly string[], from: number, to: number): Promise<void> {
  const records: AppendRecord[] = [];
  for (let seq = from; seq < to; seq++) for (const key of keys) records.push({ key, value: encodeValue(seq) });
  await log.append(topic, records);
}

function expectOffsetsAscend(records: readonly LogRecord[]): void {
  const last = new Map<string, number>();
  for (const r of records) {
    const tp = `${r.topic}/${r.partition}`;
    const prev = last.get(tp);
    if (prev !== undefined) expect(r.offset, `offsets ascend on ${tp}`).toBeGreaterThan(prev);
    last.set(tp, r.offset);
  }
}

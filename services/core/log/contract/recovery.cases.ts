import { expect } from 'vitest';
import type { ContractCase } from './case.js';
import { Collector, deferred, firstOccurrences, idOf, seqOf, seqsByKey } from './collector.js';
import { appendSeqs, range } from './delivery.cases.js';

/** At-least-once: failures redeliver, commits are kept, restarts resume where the group left off. */
export const recoveryCases: readonly ContractCase[] = [
  {
    id: 'redelivery-on-handler-error',
    title: 'a batch whose handler throws is redelivered, and nothing after it is handled first',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('handler-error');
      await appendSeqs(log, topic, ['k0', 'k1'], 0, 50);
      const errors: unknown[] = [];
      let failed = false;
      const c = new Collector();
      const consumer = await log.consume(
        { group: ctx.name('g'), topics: [topic], maxBatchRecords: 8, onHandlerError: (err) => errors.push(err) },
        c.handler((batch) => {
          if (!failed && batch.records.some((r) => r.key === 'k0' && seqOf(r) === 10)) {
            failed = true;
            return Promise.reject(new Error('injected handler failure'));
          }
          return Promise.resolve();
        }));
      await c.waitForHandled(100, ctx.timeoutMs);
      await consumer.stop();

      expect(errors.length, 'onHandlerError saw the failure').toBeGreaterThanOrEqual(1);
      expect(c.delivered.filter((r) => r.key === 'k0' && seqOf(r) === 10).length, 'k0#10 redelivered')
        .toBeGreaterThanOrEqual(2);
      for (const [key, seqs] of seqsByKey(c.handled)) {
        expect(firstOccurrences(seqs), `handled order of ${key}`).toEqual(range(50));
      }
    },
  },
  {
    id: 'redelivery-after-crash',
    title: 'a consumer stopped mid-batch without commit: the next consumer of the group gets that batch',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('crash');
      const group = ctx.name('g');
      await appendSeqs(log, topic, ['c0', 'c1', 'c2'], 0, 20);
      const entered = deferred();
      const crash = deferred();
      const first = new Collector();
      const consumerA = await log.consume({ group, topics: [topic], maxBatchRecords: 10 },
        first.handler(() => { entered.resolve(); return crash.promise; }));
      await entered.promise;
      const stopping = consumerA.stop();
      crash.reject(new Error('injected crash mid-batch'));
      await stopping;
      const inFlight = first.delivered.filter((r) => !first.handled.some((h) => idOf(h) === idOf(r)));
      expect(inFlight.length, 'the crashed batch was not handled').toBeGreaterThan(0);

      const second = new Collector();
      const consumerB = await log.consume({ group, topics: [topic] }, second.handler());
      await second.waitFor(() => new Set([...first.handled, ...second.handled].map(idOf)).size >= 60,
        'the group to cover all 60 records', ctx.timeoutMs);
      await consumerB.stop();

      const redelivered = new Set(second.delivered.map(idOf));
      expect(inFlight.filter((r) => !redelivered.has(idOf(r))).map(idOf), 'crashed batch redelivered').toEqual([]);
      const committed = new Set(first.handled.map(idOf));
      expect(second.delivered.filter((r) => committed.has(idOf(r))).map(idOf), 'no committed redelivery').toEqual([]);
    },
  },
  {
    id: 'resume-from-commit',
    title: 'stop and restart a consumer in the same group: nothing lost, nothing committed redelivered',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('resume');
      const group = ctx.name('g');
      const keys = ['r0', 'r1', 'r2', 'r3'];
      await appendSeqs(log, topic, keys, 0, 25);
      const a = new Collector();
      const consumerA = await log.consume({ group, topics: [topic], maxBatchRecords: 5 }, a.handler());
      await a.waitForHandled(30, ctx.timeoutMs);
      await consumerA.stop();
      expect(a.delivered.length, 'stop waited for the in-flight handler').toBe(a.handled.length);
      const handledAfterStop = a.handled.length;

      await appendSeqs(log, topic, keys, 25, 35);
      const b = new Collector();
      const consumerB = await log.consume({ group, topics: [topic], maxBatchRecords: 5 }, b.handler());
      await b.waitFor(() => new Set([...a.handled, ...b.handled].map(idOf)).size >= 140,
        'the group to cover all 140 records', ctx.timeoutMs);
      await consumerB.stop();

      expect(a.handled.length, 'no handler call after stop() resolved').toBe(handledAfterStop);
      const committed = new Set(a.handled.map(idOf));
      expect(b.delivered.filter((r) => committed.has(idOf(r))).map(idOf), 'no committed redelivery').toEqual([]);
      const before = seqsByKey(a.handled);
      const after = seqsByKey(b.handled);
      for (const key of keys) {
        expect([...(before.get(key) ?? []), ...(after.get(key) ?? [])], `order of ${key}`).toEqual(range(35));
      }
    },
  },
  {
    id: 'restart',
    title: 'close and reopen the log: records and committed offsets survive',
    async run(ctx) {
      const group = ctx.name('g');
      const topic = ctx.name('restart');
      const first = await ctx.open();
      await appendSeqs(first, topic, ['x', 'y'], 0, 25);
      const a = new Collector();
      const consumerA = await first.consume({ group, topics: [topic], maxBatchRecords: 5 }, a.handler());
      await a.waitForHandled(20, ctx.timeoutMs);
      await consumerA.stop();
      await first.close();

      const second = await ctx.open();
      await appendSeqs(second, topic, ['x', 'y'], 25, 30);
      const b = new Collector();
      const consumerB = await second.consume({ group, topics: [topic] }, b.handler());
      await b.waitFor(() => new Set([...a.handled, ...b.handled].map(idOf)).size >= 60,
        'the group to cover all 60 records after reopen', ctx.timeoutMs);
      await consumerB.stop();
      const committed = new Set(a.handled.map(idOf));
      expect(b.delivered.filter((r) => committed.has(idOf(r))).map(idOf), 'no committed redelivery').toEqual([]);

      const fresh = new Collector();
      const consumerF = await second.consume({ group: ctx.name('fresh'), topics: [topic] }, fresh.handler());
      await fresh.waitForHandled(60, ctx.timeoutMs);
      await consumerF.stop();
      for (const [key, seqs] of seqsByKey(fresh.delivered)) expect(seqs, `order of ${key}`).toEqual(range(30));
    },
  },
];

import { expect } from 'vitest';
import { isTollgateError } from '../../errors.js';
import type { AppendRecord } from '../port.js';
import type { ContractCase } from './case.js';
import { Collector, encodeValue, sleep } from './collector.js';

const badTopics = ['', ' ', 'has space', 'a/b', '../escape', '.', '..', 'x'.repeat(250), 'nul\u0000byte'];

/** Start positions, lifecycle after close, and input that must be refused rather than half-written. */
export const edgeCases: readonly ContractCase[] = [
  {
    id: 'start-latest',
    title: "a new group with start 'latest' skips records appended before it joined",
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('latest');
      await log.append(topic, Array.from({ length: 20 }, (_, i) => ({ key: 'old', value: encodeValue(i) })));
      const c = new Collector();
      const consumer = await log.consume({ group: ctx.name('g'), topics: [topic], start: 'latest' }, c.handler());
      // When the group's start position is fixed is adapter timing, so keep appending until one arrives.
      const seen = c.waitFor(() => c.delivered.some((r) => r.key === 'new'), "a record appended after joining", ctx.timeoutMs);
      let stopAppending = false;
      const appending = (async () => {
        for (let i = 0; !stopAppending; i++) {
          await log.append(topic, [{ key: 'new', value: encodeValue(i) }]);
          await sleep(100);
        }
      })();
      try {
        await seen;
      } finally {
        stopAppending = true;
        await appending;
      }
      await consumer.stop();
      expect(c.delivered.filter((r) => r.key === 'old').length, 'records from before joining').toBe(0);
    },
  },
  {
    id: 'closed',
    title: 'close() stops consumers; later calls reject with TG_ERR_LOG_CLOSED; close is idempotent',
    async run(ctx) {
      const log = await ctx.open();
      const topic = ctx.name('closed');
      await log.append(topic, [{ key: 'k', value: encodeValue(0) }]);
      const c = new Collector();
      await log.consume({ group: ctx.name('g'), topics: [topic] }, c.handler());
      await c.waitForHandled(1, ctx.timeoutMs);
      await log.close();
      const handledAtClose = c.delivered.length;
      await expect(log.append(topic, [{ key: 'k', value: encodeValue(1) }])).rejects.toSatisfy(
        (err: unknown) => isTollgateError(err, 'TG_ERR_LOG_CLOSED'));
      await expect(log.consume({ group: ctx.name('g2'), topics: [topic] }, c.handler())).rejects.toSatisfy(
        (err: unknown) => isTollgateError(err, 'TG_ERR_LOG_CLOSED'));
      await log.close();
      expect(c.delivered.length, 'no delivery after close').toBe(handledAtClose);
    },
  },
  {
    id: 'bad-input',
    title: 'bad topic names, groups and garbage records are refused with a TollgateError; nothing is written',
    async run(ctx) {
      const log = await ctx.open();
      const ok = { key: 'k', value: encodeValue(0) };
      for (const topic of badTopics) {
        await expect(log.append(topic, [ok]), `append to ${JSON.stringify(topic)}`).rejects.toSatisfy(isTollgate);
        await expect(log.consume({ group: ctx.name('g'), topics: [topic] }, noop), `consume ${JSON.stringify(topic)}`)
          .rejects.toSatisfy(isTollgate);
      }
      const topic = ctx.name('bad');
      await expect(log.consume({ group: ctx.name('g'), topics: [] }, noop), 'no topics').rejects.toSatisfy(isTollgate);
      await expect(log.consume({ group: '', topics: [topic] }, noop), 'empty group').rejects.toSatisfy(isTollgate);
      const garbage: unknown[] = [
        { key: 'k', value: 'not a buffer' },
        { key: 42, value: encodeValue(1) },
        { key: 'k', value: encodeValue(1), timestampMs: Number.NaN },
        null,
      ];
      for (const bad of garbage) {
        const records = [ok, bad] as unknown as AppendRecord[];
        await expect(log.append(topic, records), `append ${JSON.stringify(bad)}`).rejects.toSatisfy(isTollgate);
      }
      await log.append(topic, []); // an empty append is a no-op, not an error
      await log.append(topic, [{ key: 'marker', value: encodeValue(99) }]);
      const c = new Collector();
      const consumer = await log.consume({ group: ctx.name('g'), topics: [topic] }, c.handler());
      await c.waitFor(() => c.delivered.some((r) => r.key === 'marker'), 'the marker record', ctx.timeoutMs);
      await consumer.stop();
      expect(c.delivered.map((r) => r.key), 'refused appends wrote nothing').toEqual(['marker']);
    },
  },
  {
    id: 'oversize-record',
    title: 'a record at maxRecordBytes is delivered; one byte more is refused with TG_ERR_MESSAGE_TOO_LARGE',
    async run(ctx) {
      const max = ctx.maxRecordBytes ?? 0;
      const log = await ctx.open();
      const topic = ctx.name('oversize');
      await expect(log.append(topic, [{ key: 'big', value: Buffer.alloc(max + 1) }])).rejects.toSatisfy(
        (err: unknown) => isTollgateError(err, 'TG_ERR_MESSAGE_TOO_LARGE'));
      await log.append(topic, [{ key: 'fits', value: Buffer.alloc(max, 7) }]);
      const c = new Collector();
      const consumer = await log.consume({ group: ctx.name('g'), topics: [topic] }, c.handler());
      await c.waitForHandled(1, ctx.timeoutMs);
      await consumer.stop();
      expect(c.delivered.map((r) => [r.key, r.value.length])).toEqual([['fits', max]]);
    },
  },
];

function isTollgate(err: unknown): boolean {
  return isTollgateError(err);
}

function noop(): Promise<void> {
  return Promise.resolve();
}

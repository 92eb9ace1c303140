import { describe, expect, it } from 'vitest';
import type { ConsumedBatch } from '../port.js';
import { openEmbeddedLog } from './embedded-log.js';
import { tempDirsPerFile } from './testing-log.js';

const dir = tempDirsPerFile();

const firstOf = (b: ConsumedBatch): number => b.records[0]!.offset;
const until = async (check: () => boolean): Promise<void> => {
  for (let t = 0; t < 1000 && !check(); t++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('handlers resolving with a tail (BatchTail)', () => {
  it('hand over the next batch while the tail runs; offsets commit only after the tail resolved', async () => {
    const path = await dir('tail-overlap');
    const log = await openEmbeddedLog({ dir: path, partitions: 1 });
    await log.append('t', Array.from({ length: 30 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)) })));
    const events: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const consumer = await log.consume({ group: 'g', topics: ['t'], maxBatchRecords: 10 }, (batch) => {
      events.push(`stage ${firstOf(batch)}`);
      return Promise.resolve(async () => {
        events.push(`tail ${firstOf(batch)}`);
        if (firstOf(batch) === 10) await held;
      });
    });
    // Batch 20 is staged while tail 10 is held; its tail waits for tail 10.
    await until(() => events.includes('stage 20'));
    expect(events).toEqual(['stage 0', 'tail 0', 'stage 10', 'tail 10', 'stage 20']);
    // stop() waits for the tail in flight and commits its batch; batch 20's tail never runs.
    const stopping = consumer.stop();
    release();
    await stopping;
    await log.close();
    const again = await openEmbeddedLog({ dir: path, partitions: 1 });
    const seen: number[] = [];
    const c2 = await again.consume({ group: 'g', topics: ['t'], maxBatchRecords: 100 }, (b) => {
      seen.push(firstOf(b));
      return Promise.resolve();
    });
    await until(() => seen.length > 0);
    await c2.stop();
    await again.close();
    expect(seen[0]).toBe(20);
    expect(events).toEqual(['stage 0', 'tail 0', 'stage 10', 'tail 10', 'stage 20']);
  }, 20_000);

  it('a rejected tail redelivers its batch and the one handed over after it, whose tail is never called', async () => {
    const log = await openEmbeddedLog({ dir: await dir('tail-fail'), partitions: 1, consumer: { retryDelayMs: 10 } });
    await log.append('t', Array.from({ length: 30 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)) })));
    const tails: number[] = [];
    const errors: number[] = [];
    let failOnce = true;
    const consumer = await log.consume(
      { group: 'g', topics: ['t'], maxBatchRecords: 10, onHandlerError: (_err, b) => errors.push(firstOf(b)) },
      (batch) => Promise.resolve(() => {
        tails.push(firstOf(batch));
        if (firstOf(batch) === 10 && failOnce) {
          failOnce = false;
          return Promise.reject(new Error('store down'));
        }
        return Promise.resolve();
      }),
    );
    await until(() => tails.filter((t) => t === 20).length === 1);
    await consumer.stop();
    await log.close();
    expect(errors).toEqual([10]);
    expect(tails).toEqual([0, 10, 10, 20]);
  }, 20_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaMockSkipReason, startKafkaMock, type KafkaMock } from '../../../../test/support/kafka-mock.js';
import { isTollgateError } from '../../errors.js';
import { Collector, deferred, distinctCount, encodeValue, seqOf } from '../contract/collector.js';
import type { LogSink } from './logger.js';
import { createKafkaEventLog } from './event-log.js';
import { mockTuning } from './test-tuning.js';

// Kafka-specific behaviour the shared contract cannot state: the partitioner, logging, what the
// mock cluster cannot do, unreachable brokers, and closing while a handler still appends.
const skip = kafkaMockSkipReason();
if (skip !== undefined) console.info(`[kafka adapter tests] skipped outside CI: ${skip}`);

// Kafka's own murmur2 test vectors (Java clients UtilsTest): the hash a Java producer computes.
const javaMurmur2: ReadonlyArray<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];
const mockPartitions = 4; // the mock cluster auto-creates topics with 4 partitions

describe.skipIf(skip !== undefined)('Kafka EventLog against the mock cluster', () => {
  let mock: KafkaMock;
  beforeAll(async () => { mock = await startKafkaMock(); });
  afterAll(async () => { await mock.stop(); });

  it('partitions by key exactly as a Java producer would, and routes kafkajs logs to the logger', async () => {
    const lines: string[] = [];
    const sink: LogSink = { level: 'info', error: push, warn: push, info: push, debug: push };
    function push(obj: Record<string, unknown>, msg?: string): void { lines.push(`${String(obj.component)} ${msg ?? ''}`); }
    const log = createKafkaEventLog({ brokers: mock.brokers, ...mockTuning, logger: sink });
    try {
      await log.append('kafka-partitioner', javaMurmur2.map(([key]) => ({ key, value: Buffer.from(key) })));
      const c = new Collector();
      const consumer = await log.consume({ group: 'partitioner-check', topics: ['kafka-partitioner'] }, c.handler());
      await c.waitFor(() => c.handled.length >= javaMurmur2.length, 'all vector keys', 20_000);
      await consumer.stop();
      for (const [key, hash] of javaMurmur2) {
        expect(c.handled.find((r) => r.key === key)?.partition, key).toBe((hash & 0x7fffffff) % mockPartitions);
      }
      expect(lines.some((l) => l.startsWith('kafkajs '))).toBe(true);
    } finally {
      await log.close();
    }
  });

  it('refuses the idempotent producer and topic creation on the mock with an explanation', async () => {
    const idempotent = createKafkaEventLog({ brokers: mock.brokers, ...mockTuning, idempotent: true, retries: 1 });
    const creating = createKafkaEventLog({ brokers: mock.brokers, ...mockTuning, retries: 0,
      createTopics: { partitions: 2, replicationFactor: 1 } });
    try {
      for (const log of [idempotent, creating]) {
        await expect(log.append('kafka-no-controller', [{ key: 'k', value: Buffer.from('v') }])).rejects.toSatisfy(
          (err: unknown) => isTollgateError(err, 'TG_ERR_LOG_UNAVAILABLE') && err.message.includes('controller'));
      }
    } finally {
      await Promise.all([idempotent.close(), creating.close()]);
    }
  });

  it('splits partitions between two members of a group, and hands them over when one stops', async () => {
    const log = createKafkaEventLog({ brokers: mock.brokers, ...mockTuning });
    const topic = 'kafka-rebalance';
    const appendRound = (round: number): Promise<void> => log.append(topic,
      Array.from({ length: 40 }, (_, i) => ({ key: `sess-${i % 20}`, value: encodeValue(round * 100 + i) })));
    try {
      await appendRound(0); // creates the topic before anyone subscribes
      const [a, b, both] = [new Collector(), new Collector(), new Collector()];
      const consumerA = await log.consume({ group: 'rebalance', topics: [topic] }, both.handler(a.handler()));
      // B joining makes A rejoin; A's commits in between may fail, so B may see some of round 0 again.
      const consumerB = await log.consume({ group: 'rebalance', topics: [topic] }, both.handler(b.handler()));
      await appendRound(1);
      await both.waitFor(() => distinctCount(both.handled) >= 80, 'both rounds', 20_000);
      const partitionsOf = (c: Collector): Set<number> => new Set(c.handled.filter((r) => seqOf(r) >= 100).map((r) => r.partition));
      expect(partitionsOf(a).size, 'member A owns partitions').toBeGreaterThan(0);
      expect(partitionsOf(b).size, 'member B owns partitions').toBeGreaterThan(0);
      expect([...partitionsOf(a)].filter((p) => partitionsOf(b).has(p)), 'no partition read by both').toEqual([]);

      await consumerB.stop();
      await appendRound(2);
      await a.waitFor(() => a.handled.filter((r) => seqOf(r) >= 200).length >= 40, "B's partitions taken over by A", 20_000);
      await consumerA.stop();
    } finally {
      await log.close();
    }
  });

  it('lets a handler in flight finish its append while the log closes', async () => {
    const log = createKafkaEventLog({ brokers: mock.brokers, ...mockTuning });
    await log.append('kafka-close-in', [{ key: 'k', value: Buffer.from('in') }]);
    const entered = deferred();
    const release = deferred();
    let appended: Promise<void> | undefined;
    await log.consume({ group: 'close-while-handling', topics: ['kafka-close-in'] }, async () => {
      entered.resolve();
      await release.promise;
      appended = log.append('kafka-close-out', [{ key: 'k', value: Buffer.from('out') }]);
      await appended;
    });
    await entered.promise;
    const closing = log.close();
    release.resolve();
    await closing;
    await expect(appended).resolves.toBeUndefined();
    await expect(log.append('kafka-close-out', [])).rejects.toSatisfy((e: unknown) => isTollgateError(e, 'TG_ERR_LOG_CLOSED'));
  });
});

describe('Kafka EventLog with no reachable broker', () => {
  it('rejects appends and consumers with TG_ERR_LOG_UNAVAILABLE instead of hanging', async () => {
    const log = createKafkaEventLog({ brokers: ['127.0.0.1:1'], retries: 0, connectionTimeoutMs: 500 });
    try {
      await expect(log.append('t', [{ key: 'k', value: Buffer.from('v') }])).rejects.toSatisfy(
        (e: unknown) => isTollgateError(e, 'TG_ERR_LOG_UNAVAILABLE') && e.message.includes('127.0.0.1:1'));
      await expect(log.consume({ group: 'g', topics: ['t'] }, () => Promise.resolve())).rejects.toSatisfy(
        (e: unknown) => isTollgateError(e, 'TG_ERR_LOG_UNAVAILABLE'));
    } finally {
      await log.close();
    }
  });
});

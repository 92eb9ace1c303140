import { describe, expect, it } from 'vitest';
import { kafkaMockSkipReason, startKafkaMock } from '../../../../test/support/kafka-mock.js';
import { isTollgateError } from '../../errors.js';
import { createKafkaEventLog } from './event-log.js';
import { mockTuning } from './test-tuning.js';

// What happens to appends when the cluster goes away under a connected producer.
const skip = kafkaMockSkipReason();
if (skip !== undefined) console.info(`[kafka broker-loss tests] skipped outside CI: ${skip}`);

describe.skipIf(skip !== undefined)('Kafka EventLog when the brokers go away', () => {
  it('rejects every append queued or in flight after the cluster died; none resolves without a broker ack', async () => {
    const mock = await startKafkaMock({ brokers: 1 });
    const log = createKafkaEventLog({ brokers: mock.brokers, ...mockTuning, retries: 1, requestTimeoutMs: 1_500, connectionTimeoutMs: 500 });
    try {
      await log.append('kafka-broker-loss', [{ key: 'k', value: Buffer.from('before') }]);
      await mock.stop();
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        log.append('kafka-broker-loss', [{ key: `k${i % 3}`, value: Buffer.alloc(1000, i) }]).then(
          () => 'acked',
          (err: unknown) => (isTollgateError(err, 'TG_ERR_LOG_UNAVAILABLE') ? 'unavailable' : `other: ${String(err)}`),
        )));
      expect(outcomes).toEqual(Array.from({ length: 20 }, () => 'unavailable'));
    } finally {
      await log.close();
      await mock.stop();
    }
  }, 60_000);
});

import { describe, it } from 'vitest';
import { runEventLogContract } from '../contract.js';
import type { EventLog } from '../port.js';
import { createKafkaEventLog } from './event-log.js';

// The EventLog contract against a real Kafka cluster, where KAFKA_BROKERS (host:port,host:port) is
// set. A real broker has a controller, so the idempotent producer is on here (KAFKA_IDEMPOTENT=0
// turns it off). Optional: KAFKA_TOPIC_PREFIX (ACL-friendly names), KAFKA_CREATE_TOPICS=1 (admin
// creation when the broker does not auto-create topics), KAFKA_REPLICATION_FACTOR (default 1).
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter((b) => b.length > 0);

if (brokers.length === 0) {
  const why = 'KAFKA_BROKERS is not set; this suite needs a real Kafka broker (the mock-cluster suite runs in CI)';
  describe.skipIf(true)('EventLog contract: kafka (real broker)', () => {
    it('runs against KAFKA_BROKERS', () => undefined);
  });
  console.info(`[kafka real-broker contract] skipped: ${why}`);
} else {
  const replicationFactor = Number(process.env.KAFKA_REPLICATION_FACTOR ?? '1');
  runEventLogContract(`kafka (real broker ${brokers.join(',')})`, {
    open(): Promise<EventLog> {
      return Promise.resolve(createKafkaEventLog({
        brokers,
        idempotent: process.env.KAFKA_IDEMPOTENT !== '0',
        createTopics: process.env.KAFKA_CREATE_TOPICS === '1' ? { partitions: 4, replicationFactor } : false,
        consumer: { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 1_000,
          maxWaitTimeMs: 100, redeliveryDelayMs: 100 },
      }));
    },
    topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '',
    deliveryTimeoutMs: 30_000,
    capabilities: { maxRecordBytes: 800 * 1024 },
  });
}

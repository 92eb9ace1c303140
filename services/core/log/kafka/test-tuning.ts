import type { KafkaEventLogOptions } from './config.js';

/**
 * Adapter options for tests: group timings far below kafkajs' defaults (30 s sessions) so a case
 * spends seconds, not minutes, in joins. The mock cluster holds every new group's first JoinGroup
 * for a fixed 3 s (its initial rebalance delay) and evicts members whose session expires meanwhile,
 * so the session must stay above 3 s; a rejoin after a member left waits sessionTimeout - 1 s.
 */
export const mockTuning = {
  lingerMs: 2,
  maxRecordBytes: 800 * 1024,
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 10_000,
  retries: 5,
  consumer: {
    sessionTimeoutMs: 4_500,
    rebalanceTimeoutMs: 4_500,
    heartbeatIntervalMs: 300,
    maxWaitTimeMs: 100,
    redeliveryDelayMs: 100,
  },
} satisfies Omit<KafkaEventLogOptions, 'brokers'>;

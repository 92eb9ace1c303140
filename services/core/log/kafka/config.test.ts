import { describe, expect, it } from 'vitest';
import { isTollgateError, type TollgateError } from '../../errors.js';
import { normaliseKafkaOptions, type KafkaEventLogOptions } from './config.js';

function configError(options: unknown): TollgateError {
  try {
    normaliseKafkaOptions(options as KafkaEventLogOptions);
  } catch (err) {
    if (isTollgateError(err, 'TG_ERR_CONFIG')) return err;
    throw err;
  }
  throw new Error('expected TG_ERR_CONFIG');
}

describe('normaliseKafkaOptions', () => {
  it('fills every default: acks-all safe settings, no idempotence, no topic creation', () => {
    const config = normaliseKafkaOptions({ brokers: ['kafka-1:9092'] });
    expect(config.idempotent).toBe(false);
    expect(config.createTopics).toBe(false);
    expect(config.maxRecordBytes).toBeLessThanOrEqual(config.maxRequestBytes);
    expect(config.consumer.heartbeatIntervalMs).toBeLessThan(config.consumer.sessionTimeoutMs);
    expect(config.logger).toBeUndefined();
  });

  it('reports every bad field in one message', () => {
    const err = configError({ brokers: ['no-port'], lingerMs: -1, consumer: { sessionTimeoutMs: 'soon' }, bogus: true });
    for (const field of ['brokers.0', 'lingerMs', 'consumer.sessionTimeoutMs', 'bogus']) {
      expect(err.message).toContain(field);
    }
    expect((err.context.problems as string[]).length).toBeGreaterThanOrEqual(4);
  });

  it('refuses garbage and empty input', () => {
    for (const bad of [null, 'kafka:9092', [], {}, { brokers: [] }, { brokers: 'kafka:9092' }]) configError(bad);
    expect(configError({ brokers: ['k:1'], logger: { info: 'yes' } }).message).toContain('logger');
  });

  it('refuses limits that contradict each other', () => {
    expect(configError({ brokers: ['k:1'], maxRecordBytes: 2_000_000, maxRequestBytes: 1_000_000 }).message)
      .toContain('maxRecordBytes');
    expect(configError({ brokers: ['k:1'], consumer: { sessionTimeoutMs: 1000, heartbeatIntervalMs: 1000 } }).message)
      .toContain('heartbeatIntervalMs');
    expect(configError({ brokers: ['k:1'], idempotent: true, retries: 0 }).message).toContain('retries');
  });

  it('never echoes the SASL password in its message', () => {
    const err = configError({ brokers: ['k:1'], sasl: { mechanism: 'oauth', username: 'u', password: 'hunter2-secret' } });
    expect(JSON.stringify(err.toJSON())).not.toContain('hunter2-secret');
  });
});

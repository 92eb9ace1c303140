import { z } from 'zod';
import { TollgateError } from '../../errors.js';
import type { LogSink } from './logger.js';

/**
 * Options of the Kafka EventLog adapter, normalised once into a fully defaulted object.
 * Secrets (SASL password) arrive already resolved; this layer never reads files or the environment.
 */
const pem = z.union([z.string().min(1), z.instanceof(Buffer)]);

const optionsSchema = z.strictObject({
  brokers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')).min(1),
  clientId: z.string().min(1).default('tollgate'),
  ssl: z.union([
    z.boolean(),
    z.strictObject({ ca: pem.optional(), cert: pem.optional(), key: pem.optional(), rejectUnauthorized: z.boolean().default(true) }),
  ]).default(false),
  sasl: z.strictObject({
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1),
    password: z.string().min(1),
  }).optional(),
  /**
   * Idempotent producer (exactly-once per partition on retries). Needs a broker whose metadata names
   * a controller; librdkafka's mock cluster does not, so the default is off.
   */
  idempotent: z.boolean().default(false),
  /** How long appends wait to share one produce request. 0 still coalesces appends made meanwhile. */
  lingerMs: z.number().int().min(0).max(1000).default(2),
  /** Bytes (keys + values) per produce request; larger appends are split and sent in order. */
  maxRequestBytes: z.number().int().min(1024).default(900 * 1024),
  /** Largest record value accepted; bigger ones are refused with TG_ERR_MESSAGE_TOO_LARGE. */
  maxRecordBytes: z.number().int().min(1).default(800 * 1024),
  /** Bytes waiting to be sent beyond which append refuses with TG_ERR_LOG_BACKPRESSURE. */
  maxPendingBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
  /** Create topics through the admin API on first use. Off: rely on broker auto-creation. */
  createTopics: z.union([
    z.literal(false),
    z.strictObject({ partitions: z.number().int().min(1).default(8), replicationFactor: z.number().int().min(1).default(3) }),
  ]).default(false),
  connectionTimeoutMs: z.number().int().min(1).default(3_000),
  requestTimeoutMs: z.number().int().min(1).default(30_000),
  /** Retries of one produce or group request before the operation fails. */
  retries: z.number().int().min(0).default(5),
  consumer: z.strictObject({
    sessionTimeoutMs: z.number().int().min(1).default(30_000),
    rebalanceTimeoutMs: z.number().int().min(1).default(60_000),
    heartbeatIntervalMs: z.number().int().min(1).default(3_000),
    /** Longest a fetch waits on the broker for new records. */
    maxWaitTimeMs: z.number().int().min(0).default(500),
    /** Pause before a batch whose handler threw is redelivered. */
    redeliveryDelayMs: z.number().int().min(0).default(1_000),
    /** Default upper bound of records per handler call. */
    maxBatchRecords: z.number().int().min(1).default(500),
  }).prefault({}),
});

export type KafkaEventLogOptions = z.input<typeof optionsSchema> & { logger?: LogSink };
export type KafkaEventLogConfig = z.output<typeof optionsSchema> & { logger: LogSink | undefined };

/** Validates options and fills defaults; one TG_ERR_CONFIG lists every bad field. */
export function normaliseKafkaOptions(options: KafkaEventLogOptions): KafkaEventLogConfig {
  const input: unknown = options;
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  const { logger, ...rest } = isObject ? (input as KafkaEventLogOptions) : { logger: undefined };
  const parsed = optionsSchema.safeParse(isObject ? rest : input);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const sinkMethods = ['error', 'warn', 'info', 'debug'] as const;
  if (logger !== undefined && sinkMethods.some((m) => typeof (logger as unknown as Record<string, unknown>)[m] !== 'function')) {
    problems.push('logger: expected a pino-like logger with error, warn, info and debug methods');
  }
  if (!parsed.success || problems.length > 0) {
    throw new TollgateError('TG_ERR_CONFIG', `invalid Kafka event log options: ${problems.join('; ')}`,
      { context: { problems } });
  }
  const config = parsed.data;
  if (config.maxRecordBytes > config.maxRequestBytes) {
    throw new TollgateError('TG_ERR_CONFIG',
      `invalid Kafka event log options: maxRecordBytes (${config.maxRecordBytes}) exceeds maxRequestBytes (${config.maxRequestBytes})`);
  }
  if (config.idempotent && config.retries === 0) {
    throw new TollgateError('TG_ERR_CONFIG',
      'invalid Kafka event log options: an idempotent producer needs retries of at least 1 (kafkajs refuses 0)');
  }
  if (config.consumer.heartbeatIntervalMs >= config.consumer.sessionTimeoutMs) {
    throw new TollgateError('TG_ERR_CONFIG',
      'invalid Kafka event log options: consumer.heartbeatIntervalMs must be below consumer.sessionTimeoutMs');
  }
  return { ...config, logger };
}

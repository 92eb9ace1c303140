import type { ConnectionOptions } from 'node:tls';
import { CompressionTypes, Kafka, Partitioners, type Producer, type SASLOptions, type TopicMessages } from 'kafkajs';
import { TollgateError } from '../../errors.js';
import type { AppendRecord, BatchHandler, ConsumeOptions, Consumer, EventLog } from '../port.js';
import { AppendBatcher } from './append-batcher.js';
import { normaliseKafkaOptions, type KafkaEventLogConfig, type KafkaEventLogOptions } from './config.js';
import { fromKafkaError } from './errors.js';
import { GroupConsumer } from './group-consumer.js';
import { kafkajsLevel, kafkajsLogCreator } from './logger.js';
import { checkGroup, checkTopic, toKafkaMessages } from './records.js';
import { TopicCreator } from './topic-creator.js';

/** Creates the Kafka EventLog adapter; nothing connects until the first append or consume. */
export function createKafkaEventLog(options: KafkaEventLogOptions): EventLog {
  return new KafkaEventLog(normaliseKafkaOptions(options));
}

/**
 * EventLog over kafkajs. Appends are batched (AppendBatcher) and sent with acks=all, keyed by
 * session id through kafkajs' Java-compatible murmur2 partitioner, so a Java or librdkafka
 * producer would pick the same partition for the same key.
 */
export class KafkaEventLog implements EventLog {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly batcher: AppendBatcher;
  private readonly topics: TopicCreator;
  private readonly consumers = new Set<GroupConsumer>();
  private producerReady: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** Set once consumers have stopped: their in-flight handlers may still append while closing. */
  private appendsClosed = false;

  constructor(private readonly config: KafkaEventLogConfig) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      ssl: sslOptions(config.ssl),
      ...(config.sasl ? { sasl: saslOptions(config.sasl) } : {}),
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      retry: { retries: config.retries, initialRetryTime: 100, maxRetryTime: 5_000 },
      logLevel: kafkajsLevel(config.logger),
      logCreator: kafkajsLogCreator(config.logger),
    });
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: config.idempotent,
      // One request in flight keeps retries from reordering a partition when not idempotent.
      maxInFlightRequests: config.idempotent ? 5 : 1,
      allowAutoTopicCreation: config.createTopics === false,
      // kafkajs retries an idempotent producer forever by default; an append must fail in bounded
      // time so the recording policy can refuse sessions instead of hanging them.
      retry: { retries: config.retries, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
    this.batcher = new AppendBatcher((batch) => this.send(batch), config);
    this.topics = new TopicCreator(this.kafka, config.createTopics);
  }

  async append(topic: string, records: readonly AppendRecord[]): Promise<void> {
    if (this.appendsClosed) throw new TollgateError('TG_ERR_LOG_CLOSED', 'Kafka event log is closed');
    checkTopic(topic);
    const encoded = toKafkaMessages(topic, records, this.config.maxRecordBytes, Date.now());
    if (encoded.messages.length === 0) return;
    if (!this.topics.isReady(topic)) await this.topics.ensure(topic);
    await this.batcher.enqueue(topic, encoded);
  }

  async consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
    this.assertOpen();
    checkGroup(options.group);
    if (((options.topics as readonly string[] | undefined)?.length ?? 0) === 0) {
      throw new TollgateError('TG_ERR_CONFIG', `consumer group ${options.group} names no topics`);
    }
    for (const topic of options.topics) checkTopic(topic);
    for (const topic of options.topics) await this.topics.ensure(topic);
    const consumer = new GroupConsumer(this.kafka, this.config, options, handler, (c) => this.consumers.delete(c));
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (err) {
      this.consumers.delete(consumer);
      throw err;
    }
    return consumer;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.consumers].map((c) => c.stop()));
      this.appendsClosed = true;
      await this.batcher.drain();
      await Promise.allSettled([this.producer.disconnect(), this.topics.close()]);
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new TollgateError('TG_ERR_LOG_CLOSED', 'Kafka event log is closed (or closing)');
  }

  private async send(topicMessages: TopicMessages[]): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((err: unknown) => {
      this.producerReady = undefined; // the next append tries again
      throw err;
    });
    try {
      await this.producerReady;
      await this.producer.sendBatch({
        topicMessages, acks: -1, timeout: this.config.requestTimeoutMs, compression: CompressionTypes.None,
      });
    } catch (err) {
      throw fromKafkaError(err, 'append', { topics: topicMessages.map((t) => t.topic) });
    }
  }
}

function sslOptions(ssl: KafkaEventLogConfig['ssl']): boolean | ConnectionOptions {
  if (typeof ssl === 'boolean') return ssl;
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ssl.ca === undefined ? {} : { ca: ssl.ca }),
    ...(ssl.cert === undefined ? {} : { cert: ssl.cert }),
    ...(ssl.key === undefined ? {} : { key: ssl.key }),
  };
}

function saslOptions(sasl: NonNullable<KafkaEventLogConfig['sasl']>): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain': return { mechanism: 'plain', username, password };
    case 'scram-sha-256': return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512': return { mechanism: 'scram-sha-512', username, password };
  }
}

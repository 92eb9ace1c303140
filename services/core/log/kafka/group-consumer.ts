import type { Consumer as KafkaJsConsumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { BatchHandler, ConsumedBatch, ConsumeOptions, Consumer } from '../port.js';
import type { KafkaEventLogConfig } from './config.js';
import { fromKafkaError } from './errors.js';
import { fromKafkaMessage } from './records.js';

/**
 * One consumer-group member. Offsets are committed only after the handler resolved; a handler that
 * throws leaves its records unresolved, so kafkajs fetches them again from the last resolved offset
 * once the partition resumes after redeliveryDelayMs.
 */
export class GroupConsumer implements Consumer {
  private readonly consumer: KafkaJsConsumer;
  private readonly maxBatchRecords: number;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private stopping: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly config: KafkaEventLogConfig,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
    private readonly onStopped: (c: GroupConsumer) => void,
  ) {
    const c = config.consumer;
    this.maxBatchRecords = options.maxBatchRecords ?? c.maxBatchRecords;
    this.consumer = kafka.consumer({
      groupId: options.group,
      sessionTimeout: c.sessionTimeoutMs,
      rebalanceTimeout: c.rebalanceTimeoutMs,
      heartbeatInterval: c.heartbeatIntervalMs,
      maxWaitTimeInMs: c.maxWaitTimeMs,
      allowAutoTopicCreation: config.createTopics === false,
      retry: { retries: config.retries, initialRetryTime: 100, restartOnFailure: () => Promise.resolve(true) },
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      config.logger?.error({ component: 'kafka-log', group: options.group, err: event.payload.error,
        restart: event.payload.restart }, 'Kafka consumer crashed; kafkajs restarts it');
    });
  }

  /** Connects, subscribes and starts fetching; joining the group completes in the background. */
  async start(): Promise<void> {
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.start !== 'latest' });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (err) {
      await this.consumer.disconnect().catch(() => undefined);
      throw fromKafkaError(err, 'consumer start', { group: this.options.group, topics: this.options.topics });
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const t of this.resumeTimers) clearTimeout(t);
      this.resumeTimers.clear();
      try {
        await this.consumer.disconnect(); // waits for the in-flight batch, then leaves the group
      } catch (err) {
        throw fromKafkaError(err, 'consumer stop', { group: this.options.group });
      } finally {
        this.onStopped(this);
      }
    })();
    return this.stopping;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const batch = payload.batch;
    const messages = batch.messages;
    for (let from = 0; from < messages.length; from += this.maxBatchRecords) {
      if (!payload.isRunning() || payload.isStale() || this.stopping !== undefined) return;
      const slice = messages.slice(from, from + this.maxBatchRecords);
      const last = slice[slice.length - 1];
      if (last === undefined) return;
      const consumed: ConsumedBatch = {
        topic: batch.topic,
        partition: batch.partition,
        records: slice.map((m) => fromKafkaMessage(batch.topic, batch.partition, m)),
      };
      try {
        // A tail runs before the commit (no overlap with the next slice here).
        const tail = await this.handler(consumed);
        if (tail !== undefined) await tail();
      } catch (err) {
        this.onHandlerFailure(err, consumed, payload);
        return; // unresolved: the next fetch starts again at this slice
      }
      payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      await payload.heartbeat();
    }
  }

  private onHandlerFailure(err: unknown, consumed: ConsumedBatch, payload: EachBatchPayload): void {
    const context = { component: 'kafka-log', group: this.options.group, topic: consumed.topic,
      partition: consumed.partition, firstOffset: consumed.records[0]?.offset };
    try {
      this.options.onHandlerError?.(err, consumed);
    } catch (hookErr) {
      this.config.logger?.error({ ...context, err: hookErr }, 'onHandlerError threw');
    }
    this.config.logger?.warn({ ...context, err }, 'batch handler failed; the batch will be redelivered');
    if (!payload.isRunning() || this.stopping !== undefined) return;
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      resume();
    }, this.config.consumer.redeliveryDelayMs);
    this.resumeTimers.add(timer);
  }
}

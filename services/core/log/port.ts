/**
 * EventLog: the port between whoever records frames (gateways) and whoever processes them (ingest).
 * Adapters: embedded (segment files on local disk) and kafka (kafkajs). Both pass contract.ts.
 *
 * Ordering: records with the same key land on the same partition, in append order.
 * Delivery: at least once; a consumer group's offset moves only after its handler resolved.
 */

export interface AppendRecord {
  /** Partitioning key; tollgate uses the session id so one session stays in order. */
  key: string;
  value: Buffer;
  /** Epoch ms; the adapter stamps now when absent. */
  timestampMs?: number;
}

export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
  timestampMs: number;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: readonly LogRecord[];
}

/**
 * Handles one batch; resolving commits every offset in it, throwing redelivers it. A handler may
 * resolve with a {@link BatchTail} instead: the batch's slow last step (store writes), which the log
 * runs and waits for before it commits the batch's offsets.
 */
export type BatchHandler = (batch: ConsumedBatch) => Promise<void | BatchTail>;

/**
 * The last step of a handled batch. The log calls it once, only after the tails of all batches
 * handed over before it succeeded, and commits the batch's offsets when it resolves. If it rejects,
 * no later tail is called, and this batch and every batch handed over after it are redelivered.
 * An adapter may hand over the next batch while a tail runs (the embedded log does, so the next
 * batch's CPU work overlaps this one's I/O), or simply run the tail before going on.
 */
export type BatchTail = () => Promise<void>;

export interface ConsumeOptions {
  group: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts. Default: 'earliest'. */
  start?: 'earliest' | 'latest';
  /** Upper bound on records per batch handed to the handler. */
  maxBatchRecords?: number;
  /** Called when the handler throws; the batch is redelivered after a pause. */
  onHandlerError?: (err: unknown, batch: ConsumedBatch) => void;
}

export interface Consumer {
  /** Stops fetching, waits for the in-flight handler, and leaves the group. */
  stop(): Promise<void>;
}

export interface EventLog {
  /**
   * Appends records to a topic. Resolves once they are durable by the adapter's policy (embedded:
   * written and fsynced per the fsync policy; kafka: acknowledged by all in-sync replicas). Rejects
   * with TG_ERR_LOG_UNAVAILABLE or TG_ERR_LOG_BACKPRESSURE (refuse policy) rather than dropping.
   */
  append(topic: string, records: readonly AppendRecord[]): Promise<void>;
  /** Joins a consumer group and calls handler with batches until stopped. */
  consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer>;
  /** Flushes pending appends, stops consumers, releases files or connections. */
  close(): Promise<void>;
}

/** Topic names are versioned; a new major shape gets a new topic. */
export const Topics = {
  frames: 'tollgate.frames.v1',
  alerts: 'tollgate.alerts.v1',
} as const;

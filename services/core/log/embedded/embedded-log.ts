import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { TollgateError } from '../../errors.js';
import type { AppendRecord, BatchHandler, ConsumeOptions, Consumer, EventLog } from '../port.js';
import { EmbeddedConsumer } from './consumer.js';
import { ConsumerGroup, GROUPS_DIR } from './consumer-group.js';
import type { WriterStats } from './group-commit.js';
import { GroupCommitWriter } from './group-commit.js';
import { acquireLock } from './lock-file.js';
import { partitionForKeyBytes } from './murmur2.js';
import type { EmbeddedLogOptions, NormalizedOptions } from './options.js';
import { normalizeOptions, partitionsFor } from './options.js';
import type { RecoveryNote } from './partition-recovery.js';
import type { PartitionLog } from './partition-log.js';
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES, MAX_KEY_BYTES } from './record-codec.js';
import type { RetentionReport } from './retention-run.js';
import { runRetention } from './retention-run.js';
import { Topic, validateTopicName } from './topic.js';

export interface EmbeddedLogStats extends WriterStats {
  appends: number;
  records: number;
}

/** The embedded adapter: the EventLog port plus what operators and tests of this adapter need. */
export interface EmbeddedEventLog extends EventLog {
  readonly options: NormalizedOptions;
  /** What recovery found per partition when the log was opened. */
  readonly recovery: readonly RecoveryNote[];
  stats(): EmbeddedLogStats;
  /** Applies retention now (it also runs every retention.checkIntervalMs). */
  runRetention(): Promise<RetentionReport[]>;
  /** The partition a key lands on: Kafka's default partitioner (murmur2) over this topic's count. */
  partitionFor(topic: string, key: string): number;
}

/** Opens (and recovers) the log in options.dir; refuses a directory another live process holds. */
export async function openEmbeddedLog(options: EmbeddedLogOptions): Promise<EmbeddedEventLog> {
  const o = normalizeOptions(options);
  await mkdir(path.join(o.dir, GROUPS_DIR), { recursive: true });
  const release = await acquireLock(o.dir);
  try {
    const config = { root: o.dir, io: o.io, segmentBytes: o.segmentBytes, indexIntervalBytes: o.indexIntervalBytes, maxFrameBytes: MAX_FRAME_BYTES };
    const notes: RecoveryNote[] = [];
    const topics = new Map<string, Topic>();
    for (const name of await Topic.names(o.dir)) {
      const topic = await Topic.load(name, config, notes);
      if (topic) topics.set(name, topic);
    }
    const groups = await ConsumerGroup.loadAll(o.dir, o.io);
    return new EmbeddedLog(o, topics, groups, notes, release);
  } catch (err) {
    await release();
    throw err;
  }
}

function rejected(err: unknown): Promise<never> {
  return Promise.reject(err instanceof Error ? err : new Error(String(err)));
}

class EmbeddedLog implements EmbeddedEventLog {
  private readonly writer: GroupCommitWriter;
  private readonly listeners = new Set<() => void>();
  private readonly consumers = new Set<EmbeddedConsumer>();
  private readonly groups = new Map<string, ConsumerGroup>();
  // Keys are encoded here first to hash them; the partition's encoder copies them into its chunk.
  private readonly keyBuf = Buffer.allocUnsafe(MAX_KEY_BYTES);
  private readonly retentionTimer: NodeJS.Timeout;
  private retentionRunning: Promise<RetentionReport[]> | undefined;
  private closing: Promise<void> | undefined;
  private appends = 0;
  private records = 0;

  constructor(
    readonly options: NormalizedOptions,
    private readonly topics: Map<string, Topic>,
    groups: readonly ConsumerGroup[],
    readonly recovery: readonly RecoveryNote[],
    private readonly releaseLock: () => Promise<void>,
  ) {
    for (const g of groups) this.groups.set(g.name, g);
    this.writer = new GroupCommitWriter({
      fsync: options.fsync,
      fsyncIntervalMs: options.fsyncIntervalMs,
      lingerMs: options.lingerMs,
      maxPendingBytes: options.maxPendingBytes,
      onPublished: () => { for (const l of this.listeners) l(); },
      onFailure: (err) => this.options.onError(err),
    });
    this.retentionTimer = setInterval(() => {
      this.runRetention().catch((err: unknown) => this.options.onError(new TollgateError('TG_ERR_LOG_UNAVAILABLE',
        'event log retention failed', { cause: err })));
    }, options.retention.checkIntervalMs);
    this.retentionTimer.unref();
  }

  append(topic: string, records: readonly AppendRecord[]): Promise<void> {
    if (this.closing) return Promise.reject(new TollgateError('TG_ERR_LOG_CLOSED', 'event log is closed; append refused'));
    if (this.writer.failure) return Promise.reject(this.writer.failure);
    let bytes: number;
    try {
      validateTopicName(topic);
      bytes = this.measure(records);
    } catch (err) {
      return rejected(err);
    }
    if (records.length === 0) return Promise.resolve();
    const t = this.topicFor(topic);
    if (this.writer.hasRoom(bytes)) {
      this.writer.reserve(bytes);
      return this.encode(t, records);
    }
    if (this.options.backpressure === 'refuse') {
      return Promise.reject(new TollgateError('TG_ERR_LOG_BACKPRESSURE',
        `event log has ${this.options.maxPendingBytes} bytes waiting to be written; append refused, retry later`,
        { context: { topic, bytes } }));
    }
    return this.writer.waitForRoom(bytes).then(() => this.encode(t, records));
  }

  consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
    if (this.closing) return Promise.reject(new TollgateError('TG_ERR_LOG_CLOSED', 'event log is closed; consume refused'));
    try {
      if (typeof options.group !== 'string' || options.group.length === 0) {
        throw new TollgateError('TG_ERR_CONFIG', 'consume needs a non-empty group name');
      }
      if (options.topics.length === 0) throw new TollgateError('TG_ERR_CONFIG', 'consume needs at least one topic');
      for (const t of options.topics) validateTopicName(t);
    } catch (err) {
      return rejected(err);
    }
    let group = this.groups.get(options.group);
    if (!group) {
      group = new ConsumerGroup(options.group, ConsumerGroup.fileFor(this.options.dir, options.group), this.options.io);
      this.groups.set(options.group, group);
    }
    const o = this.options;
    const consumer = new EmbeddedConsumer(group, options, handler, {
      partitionsOf: (topic) => this.topicFor(topic).partitions,
      subscribe: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      io: o.io,
      maxFrameBytes: MAX_FRAME_BYTES,
      maxBatchBytes: o.consumer.maxBatchBytes,
      maxBatchRecords: o.consumer.maxBatchRecords,
      retryDelayMs: o.consumer.retryDelayMs,
      onError: o.onError,
    });
    this.consumers.add(consumer);
    consumer.start();
    return Promise.resolve({
      stop: async () => {
        await consumer.stop();
        this.consumers.delete(consumer);
      },
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): EmbeddedLogStats {
    return { ...this.writer.stats, appends: this.appends, records: this.records };
  }

  runRetention(): Promise<RetentionReport[]> {
    this.retentionRunning ??= runRetention([...this.topics.values()], [...this.groups.values()], this.options)
      .finally(() => { this.retentionRunning = undefined; });
    return this.retentionRunning;
  }

  partitionFor(topic: string, key: string): number {
    const n = this.topicFor(topic).partitions.length;
    const kb = this.keyBuf.write(key, 0, 'utf8');
    return partitionForKeyBytes(this.keyBuf, 0, kb, n);
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.retentionTimer);
    await this.writer.drain();
    await Promise.all([...this.consumers].map((c) => c.stop()));
    await this.retentionRunning?.catch(() => undefined);
    for (const g of this.groups.values()) await g.flushed().catch(() => undefined);
    try {
      const sync = this.writer.failure === undefined;
      for (const t of this.topics.values()) for (const p of t.partitions) await p.release(sync);
    } finally {
      await this.releaseLock();
    }
  }

  /** Validates every record before any is encoded, so an append is all or nothing; returns bytes. */
  private measure(records: readonly AppendRecord[]): number {
    let bytes = 0;
    // Batches hold runs of one session's frames: measure a key's UTF-8 length once per run.
    let lastKey: string | undefined;
    let keyBytes = 0;
    for (const r of records as readonly (AppendRecord | null | undefined)[]) {
      if (typeof r !== 'object' || r === null || typeof r.key !== 'string' || !(r.value instanceof Uint8Array)) {
        throw new TollgateError('TG_ERR_CONFIG', 'append records need a string key and a Buffer value');
      }
      const ts = r.timestampMs;
      if (ts !== undefined && !(Number.isSafeInteger(ts) && ts >= 0)) {
        throw new TollgateError('TG_ERR_CONFIG', `record timestampMs must be a non-negative integer, got ${ts}`);
      }
      if (r.key !== lastKey) {
        lastKey = r.key;
        keyBytes = Buffer.byteLength(r.key, 'utf8');
      }
      const size = FRAME_HEADER_BYTES + keyBytes + r.value.length;
      if (keyBytes > MAX_KEY_BYTES || r.value.length > this.options.maxRecordBytes) {
        throw new TollgateError('TG_ERR_MESSAGE_TOO_LARGE',
          `record value of ${r.value.length} bytes or key of ${keyBytes} bytes is too large: the embedded log ` +
          `takes values up to maxRecordBytes (${this.options.maxRecordBytes}) and keys up to ${MAX_KEY_BYTES} bytes`,
          { context: { valueBytes: r.value.length, keyBytes } });
      }
      bytes += size;
    }
    return bytes;
  }

  private encode(topic: Topic, records: readonly AppendRecord[]): Promise<void> {
    const now = this.options.clock.nowMs();
    const parts = topic.partitions;
    const keyBuf = this.keyBuf;
    let done: Promise<void> | undefined;
    // Batches usually carry one session's frames: encode and hash a key only when it changes.
    let lastKey: string | undefined;
    let key = keyBuf.subarray(0, 0);
    let part = parts[0] as PartitionLog;
    for (const r of records) {
      if (r.key !== lastKey) {
        lastKey = r.key;
        const kb = keyBuf.write(r.key, 0, 'utf8');
        key = keyBuf.subarray(0, kb);
        part = parts[partitionForKeyBytes(keyBuf, 0, kb, parts.length)] as PartitionLog;
        done = this.writer.enlist(part);
      }
      part.encode(key, r.value, r.timestampMs ?? now);
    }
    this.appends++;
    this.records += records.length;
    return done ?? Promise.resolve();
  }

  private topicFor(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = Topic.fresh(name, partitionsFor(this.options, name), {
        root: this.options.dir, io: this.options.io, segmentBytes: this.options.segmentBytes,
        indexIntervalBytes: this.options.indexIntervalBytes, maxFrameBytes: MAX_FRAME_BYTES,
      });
      this.topics.set(name, topic);
    }
    return topic;
  }
}

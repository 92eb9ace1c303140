import { TollgateError, isTollgateError } from '../../errors.js';
import type { BatchHandler, BatchTail, ConsumeOptions, Consumer, ConsumedBatch, LogRecord } from '../port.js';
import type { ConsumerGroup, GroupMember } from './consumer-group.js';
import type { LogIo } from './io.js';
import type { PartitionLog } from './partition-log.js';
import { PartitionReader } from './partition-reader.js';

export interface ConsumerDeps {
  /** The partitions of a topic (created in memory when the topic is new). */
  partitionsOf(topic: string): readonly PartitionLog[];
  /** Registers a callback run after appends became readable; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  io: LogIo;
  maxFrameBytes: number;
  maxBatchBytes: number;
  maxBatchRecords: number;
  retryDelayMs: number;
  onError: (err: TollgateError) => void;
}

interface Owned {
  part: PartitionLog;
  reader: PartitionReader;
  position: number;
}

/** A handled batch whose tail runs; its offsets commit when the tail resolved. */
interface InFlight {
  owned: Owned;
  batch: ConsumedBatch;
  next: number;
  tail: Promise<void>;
}

/**
 * One group member. A single loop hands one batch at a time to the handler (batches of different
 * partitions never overlap), waits on append notifications when caught up, and reads from files,
 * so a consumer that falls behind costs disk reads, not memory. A batch whose handler resolved with
 * a tail stays in flight while the next batch is read and handled (at most one tail runs at a time).
 */
export class EmbeddedConsumer implements Consumer, GroupMember {
  readonly topics: readonly string[];
  private stopped = false;
  private signalled = false;
  private wakeUp: (() => void) | undefined;
  private cancelPause: (() => void) | undefined;
  private readonly owned = new Map<PartitionLog, Owned>();
  private turn = 0;
  private done: Promise<void> = Promise.resolve();
  private lastCommit: Promise<void> = Promise.resolve();
  private inFlight: InFlight | undefined;
  private unsubscribe: () => void = () => undefined;

  constructor(
    private readonly group: ConsumerGroup,
    private readonly options: ConsumeOptions,
    private readonly handler: BatchHandler,
    private readonly deps: ConsumerDeps,
  ) {
    this.topics = [...options.topics];
  }

  start(): void {
    this.group.join(this);
    this.unsubscribe = this.deps.subscribe(() => this.wake());
    this.done = this.run();
  }

  /** Stops fetching, waits for the in-flight handler and the last commit, then leaves the group. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelPause?.();
    this.wake();
    await this.done;
    await this.lastCommit.catch(() => undefined);
  }

  wake(): void {
    this.signalled = true;
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        await this.rebalance();
        const next = this.pick();
        if (next === undefined) {
          // Caught up: the last tail must not wait for new records to be committed.
          if (this.inFlight !== undefined) await this.settle();
          else await this.signal();
        } else await this.consume(next);
      }
    } catch (err) {
      // Not expected (read and handler errors are handled above); report rather than reject unobserved.
      this.deps.onError(new TollgateError('TG_ERR_INTERNAL', `consumer of group "${this.group.name}" stopped`, { cause: err }));
    } finally {
      await this.settle().catch(() => undefined);
      this.unsubscribe();
      for (const o of this.owned.values()) await o.reader.close().catch(() => undefined);
      this.owned.clear();
      this.group.leave(this);
    }
  }

  /** Drops partitions now assigned elsewhere and claims assigned ones that are free. */
  private async rebalance(): Promise<void> {
    for (const [part, o] of this.owned) {
      if (this.group.assigned(this, part.topic, part.partition)) continue;
      if (this.inFlight?.owned === o) await this.settle();
      this.owned.delete(part);
      await o.reader.close().catch(() => undefined);
      this.group.release(this, part.topic, part.partition);
    }
    for (const topic of this.topics) {
      for (const part of this.deps.partitionsOf(topic)) {
        if (this.owned.has(part) || !this.group.assigned(this, topic, part.partition)) continue;
        if (!this.group.claim(this, topic, part.partition)) continue;
        const committed = this.group.committed(topic, part.partition);
        let position = committed ?? (this.options.start === 'latest' ? part.readableOffset : part.logStartOffset);
        if (position > part.nextOffset) {
          // Only possible after a power cut with fsync 'interval'/'never' took acknowledged records
          // with it; waiting for the log to grow back past the commit would skip new records.
          this.deps.onError(new TollgateError('TG_ERR_LOG_RETENTION',
            `consumer group "${this.group.name}" committed offset ${position} on ${topic}/${part.partition}, ` +
            `but the log ends at ${part.nextOffset}; records were lost, continuing from the end`,
            { context: { group: this.group.name, topic, partition: part.partition } }));
          position = part.nextOffset;
        }
        this.owned.set(part, { part, reader: new PartitionReader(part, this.deps.io, this.deps.maxFrameBytes), position });
      }
    }
  }

  /** Next owned partition with readable records, round robin so a busy one cannot starve others. */
  private pick(): Owned | undefined {
    const list = [...this.owned.values()];
    for (let i = 0; i < list.length; i++) {
      const o = list[(this.turn + i) % list.length] as Owned;
      if (o.position < o.part.readableOffset) {
        this.turn = (this.turn + i + 1) % list.length;
        return o;
      }
    }
    return undefined;
  }

  private async consume(o: Owned): Promise<void> {
    const { part } = o;
    if (o.position < part.logStartOffset) {
      this.deps.onError(new TollgateError('TG_ERR_LOG_RETENTION',
        `consumer group "${this.group.name}" lost records ${o.position}..${part.logStartOffset - 1} of ` +
        `${part.topic}/${part.partition} to the retention hard limit; continuing from ${part.logStartOffset}`,
        { context: { group: this.group.name, topic: part.topic, partition: part.partition } }));
      o.position = part.logStartOffset;
    }
    const maxRecords = this.options.maxBatchRecords ?? this.deps.maxBatchRecords;
    let records: LogRecord[];
    try {
      records = await o.reader.read(o.position, maxRecords, this.deps.maxBatchBytes);
    } catch (err) {
      this.deps.onError(isTollgateError(err) ? err : new TollgateError('TG_ERR_LOG_UNAVAILABLE',
        `reading ${part.topic}/${part.partition} failed`, { cause: err }));
      await o.reader.close().catch(() => undefined);
      await this.pause();
      return;
    }
    // Nothing readable although the offset says otherwise: back off rather than spin.
    if (records.length === 0) return this.pause();
    const batch: ConsumedBatch = { topic: part.topic, partition: part.partition, records };
    const first = (records[0] as LogRecord).offset;
    const tail = await this.deliver(batch);
    if (tail === false) return;
    const next = (records[records.length - 1] as LogRecord).offset + 1;
    o.position = next;
    // The previous tail ran while this batch was handled; this batch's tail starts only after it succeeded.
    if (!(await this.settle())) {
      o.position = Math.min(o.position, first);
      return;
    }
    if (tail === undefined) this.commit(o, next);
    else if (this.stopped) o.position = first; // not started: redelivered after a restart
    else {
      const running = Promise.resolve().then(tail);
      running.catch(() => undefined); // observed in settle(); not an unhandled rejection meanwhile
      this.inFlight = { owned: o, batch, next, tail: running };
    }
  }

  /**
   * Waits for the tail in flight and commits its batch. A failed tail rewinds its partition to the
   * batch's first offset (the caller rewinds a batch handled after it) and returns false.
   */
  private async settle(): Promise<boolean> {
    const f = this.inFlight;
    if (f === undefined) return true;
    this.inFlight = undefined;
    try {
      await f.tail;
    } catch (err) {
      this.reportHandlerError(err, f.batch);
      f.owned.position = Math.min(f.owned.position, (f.batch.records[0] as LogRecord).offset);
      await this.pause();
      return false;
    }
    this.commit(f.owned, f.next);
    return true;
  }

  private commit(o: Owned, next: number): void {
    this.lastCommit = this.group.commit(o.part.topic, o.part.partition, next).catch((err: unknown) => {
      this.deps.onError(new TollgateError('TG_ERR_LOG_UNAVAILABLE',
        `committing offsets of group "${this.group.name}" failed; they will be redelivered after a restart`,
        { cause: err }));
    });
  }

  /** Calls the handler until it resolves (its tail, if any) or the consumer stops (false: redelivered later). */
  private async deliver(batch: ConsumedBatch): Promise<BatchTail | undefined | false> {
    while (!this.stopped) {
      try {
        return (await this.handler(batch)) ?? undefined;
      } catch (err) {
        this.reportHandlerError(err, batch);
        await this.pause();
      }
    }
    return false;
  }

  private reportHandlerError(err: unknown, batch: ConsumedBatch): void {
    try {
      this.options.onHandlerError?.(err, batch);
    } catch {
      // A failing error callback must not stop delivery.
    }
  }

  private signal(): Promise<void> {
    if (this.signalled || this.stopped) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => { this.wakeUp = resolve; }).then(() => { this.signalled = false; });
  }

  /** Waits retryDelayMs; only stop() cuts it short (appends do not, or a failing batch would spin). */
  private pause(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.cancelPause = undefined; resolve(); }, this.deps.retryDelayMs);
      this.cancelPause = () => {
        clearTimeout(timer);
        this.cancelPause = undefined;
        resolve();
      };
    });
  }
}

import { EventEmitter } from 'node:events';
import { TollgateError } from '../errors.js';
import type { AppendRecord, EventLog } from '../log/port.js';
import { DEFAULT_APPEND_TIMEOUT_MS, DEFAULT_CLOSE_TIMEOUT_MS, type RecordingSinkOptions, type SinkState, type Spool } from './sink-options.js';
import { withDeadline } from './deadline.js';

export { DEFAULT_APPEND_TIMEOUT_MS, DEFAULT_CLOSE_TIMEOUT_MS } from './sink-options.js';
export type { RecordingSinkOptions, SinkState, Spool } from './sink-options.js';

/**
 * One per gateway node: batches encoded frames of every session into log appends, one append in
 * flight at a time, so frames queued while it runs go out together (natural group commit).
 *
 * Never drops: a failed append stays at the head of the queue and is retried. While the log is
 * down the sink is `degraded`: strict sessions are ended (`unavailable` event) and refused; with a
 * spool, frames go to local disk in order and buffered sessions go on. If the spool is full too,
 * the sink is `failed`: every session is ended and new ones refused until the log is back.
 * Records a spool still holds from an earlier run are drained first, before any new frame.
 */
export class RecordingSink extends EventEmitter<{ state: [SinkState, unknown] }> {
  private queue: AppendRecord[] = [];
  private queuedBytes = 0;
  private inflightBytes = 0;
  private inflightCount = 0;
  /** Set when close() gave up: the retry loop stops and nothing more is attempted. */
  private abandoned = false;
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private spooling = false;
  private current: SinkState = 'healthy';
  private lastError: unknown;
  private closed = false;
  private readonly waiters: Array<() => void> = [];
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: EventLog,
    private readonly options: RecordingSinkOptions,
  ) {
    super();
    const spool = options.spool;
    if (spool !== undefined && spool.size() > 0) {
      // Frames left from an earlier run go out before anything recorded now.
      this.spooling = true;
      this.scheduleDrain(spool);
      setImmediate(() => this.drainTick(spool));
    }
  }

  get state(): SinkState {
    return this.current;
  }

  /** Whether a new session with this recording policy may start now. */
  admits(policy: 'strict' | 'buffered'): boolean {
    if (this.closed || this.current === 'failed') return false;
    return this.current === 'healthy' || (policy === 'buffered' && this.options.spool !== undefined);
  }

  /** Throws TG_ERR_RECORDING_REFUSED when a session with this policy may not start. */
  assertAdmits(policy: 'strict' | 'buffered'): void {
    if (!this.admits(policy)) {
      throw new TollgateError('TG_ERR_RECORDING_REFUSED', `recording is unavailable (event log ${this.current}); ${policy} sessions are refused until it recovers`, {
        cause: this.lastError,
      });
    }
  }

  /** Queues one encoded frame. Synchronous; call `ready()` when `overloaded` to apply backpressure. */
  write(key: string, value: Buffer): void {
    if (this.closed) throw new TollgateError('TG_ERR_LOG_CLOSED', 'the recording sink is closed');
    this.queue.push({ key, value });
    this.queuedBytes += value.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.kick();
      });
    }
  }

  /** True when writers should stop reading from their sockets until ready() resolves. */
  get overloaded(): boolean {
    return this.queuedBytes + this.inflightBytes >= this.options.maxPendingBytes;
  }

  /** Resolves once the in-memory queue is below its bound again. */
  ready(): Promise<void> {
    if (!this.overloaded) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when every frame written so far is in the log or the spool. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.flushing !== undefined) {
      if (this.abandoned) throw this.undeliveredError();
      this.kick();
      await this.flushing;
    }
  }

  /**
   * Waits (bounded) until every frame is in the log or the spool, then closes. If frames are still
   * undelivered when the time is up, it stops retrying and rejects with TG_ERR_LOG_UNAVAILABLE
   * naming how many: a close never claims success for frames it could not place.
   */
  async close(timeoutMs = this.options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.closed) return;
    let flushed = false;
    try {
      flushed = await withDeadline(this.flush().then(() => true), timeoutMs, () => false);
    } finally {
      this.closed = true;
      clearInterval(this.drainTimer);
    }
    if (!flushed) {
      this.abandoned = true;
      const err = this.undeliveredError();
      for (const resolve of this.waiters.splice(0)) resolve();
      await this.options.spool?.close().catch(() => undefined);
      throw err;
    }
    await this.options.spool?.close();
  }

  /** Frames accepted by write() that are neither in the log nor in the spool. */
  get undelivered(): number {
    return this.queue.length + this.inflightCount;
  }

  private undeliveredError(): TollgateError {
    const undelivered = this.undelivered;
    return new TollgateError('TG_ERR_LOG_UNAVAILABLE',
      `recording sink closed with ${undelivered} frame(s) not delivered to the event log or the spool (state ${this.current})`,
      { cause: this.lastError, context: { undelivered, state: this.current } });
  }

  private kick(): void {
    if (this.abandoned || this.flushing !== undefined || this.queue.length === 0) return;
    this.flushing = this.pump().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    const batch = this.queue;
    const bytes = this.queuedBytes;
    this.queue = [];
    this.queuedBytes = 0;
    // Bytes in flight still count against the bound until the log (or the spool) has them.
    this.inflightBytes = bytes;
    this.inflightCount = batch.length;
    while (!this.abandoned) {
      try {
        await this.deliver(batch);
        this.inflightCount = 0;
        break;
      } catch (err) {
        // The batch stays ours: nothing is dropped; it is retried after a pause.
        this.lastError = err;
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs));
      }
    }
    this.inflightBytes = 0;
    this.releaseWaiters();
  }

  private async deliver(batch: AppendRecord[]): Promise<void> {
    const spool = this.options.spool;
    if (this.spooling && spool !== undefined) {
      if (await this.tryDrain(spool)) return this.deliver(batch);
      if (this.current === 'healthy') this.setState('degraded', this.lastError);
      try {
        await spool.append(batch);
        return;
      } catch (err) {
        this.setState('failed', err);
        throw err;
      }
    }
    try {
      await this.appendToLog(batch);
      this.setState('healthy', undefined);
    } catch (err) {
      if (spool === undefined) {
        this.setState('degraded', err);
        throw err;
      }
      this.spooling = true;
      this.setState('degraded', err);
      this.scheduleDrain(spool);
      await spool.append(batch).catch((spoolErr: unknown) => {
        this.setState('failed', spoolErr);
        throw spoolErr;
      });
    }
  }

  /** Moves spooled records to the log in order; true when the spool is empty and direct appends resume. */
  private async tryDrain(spool: Spool): Promise<boolean> {
    let delivered = false;
    try {
      await spool.drain(async (records) => {
        await this.appendToLog(records);
        delivered = true;
      });
    } catch (err) {
      this.lastError = err;
      return false;
    }
    if (spool.size() > 0) return false;
    this.spooling = false;
    // Only an append the log took says it is healthy; an empty spool says nothing about the log.
    if (delivered) this.setState('healthy', undefined);
    return true;
  }

  private appendToLog(records: readonly AppendRecord[]): Promise<void> {
    const ms = this.options.appendTimeoutMs ?? DEFAULT_APPEND_TIMEOUT_MS;
    return withDeadline(this.log.append(this.options.topic, records), ms, () => {
      throw new TollgateError('TG_ERR_TIMEOUT', `event log append of ${records.length} frame(s) did not settle within ${ms} ms; retrying`);
    });
  }

  /** While spooling, keeps trying to drain even when no new frames arrive. */
  private scheduleDrain(spool: Spool): void {
    if (this.drainTimer !== undefined) return;
    this.drainTimer = setInterval(() => this.drainTick(spool), this.options.retryDelayMs);
    this.drainTimer.unref();
  }

  private drainTick(spool: Spool): void {
    if (!this.spooling || this.closed) {
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
      return;
    }
    if (this.flushing !== undefined) return;
    this.flushing = this.tryDrain(spool).then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      this.flushing = undefined;
      this.kick();
    });
  }

  private setState(state: SinkState, err: unknown): void {
    if (state === this.current) return;
    this.current = state;
    this.emit('state', state, err);
  }

  private releaseWaiters(): void {
    if (this.overloaded) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

import { EventEmitter } from 'node:events';
import { TollgateError } from '../errors.js';
import type { AppendRecord, EventLog } from '../log/port.js';

/**
 * Where spooled frames wait while the log is down (buffered recording). Order is kept: once
 * anything is spooled, everything after it is spooled too until the spool has drained.
 */
export interface Spool {
  /** Appends records durably; rejects with TG_ERR_LOG_BACKPRESSURE when the spool is full. */
  append(records: readonly AppendRecord[]): Promise<void>;
  /** Hands spooled records, oldest first, to `deliver`; removes each batch after deliver resolved. */
  drain(deliver: (records: readonly AppendRecord[]) => Promise<void>): Promise<void>;
  /** Records currently spooled. */
  size(): number;
  close(): Promise<void>;
}

export type SinkState = 'healthy' | 'degraded' | 'failed';

export interface RecordingSinkOptions {
  topic: string;
  /** Bytes of encoded frames held in memory before writers must wait (backpressure). */
  maxPendingBytes: number;
  /** Pause between attempts while the log refuses appends. */
  retryDelayMs: number;
  /** Present when buffered recording is allowed on this node. */
  spool?: Spool;
}

/**
 * One per gateway node: batches encoded frames of every session into log appends, one append in
 * flight at a time, so frames queued while it runs go out together (natural group commit).
 *
 * Never drops: a failed append stays at the head of the queue and is retried. While the log is
 * down the sink is `degraded`: strict sessions are ended (`unavailable` event) and refused; with a
 * spool, frames go to local disk in order and buffered sessions go on. If the spool is full too,
 * the sink is `failed`: every session is ended and new ones refused until the log is back.
 */
export class RecordingSink extends EventEmitter<{ state: [SinkState, unknown] }> {
  private queue: AppendRecord[] = [];
  private queuedBytes = 0;
  private inflightBytes = 0;
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
      this.kick();
      await this.flushing;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearInterval(this.drainTimer);
    await this.options.spool?.close();
  }

  private kick(): void {
    if (this.flushing !== undefined || this.queue.length === 0) return;
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
    for (;;) {
      try {
        await this.deliver(batch);
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
      try {
        await spool.append(batch);
        return;
      } catch (err) {
        this.setState('failed', err);
        throw err;
      }
    }
    try {
      await this.log.append(this.options.topic, batch);
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
    try {
      await spool.drain((records) => this.log.append(this.options.topic, records));
    } catch {
      return false;
    }
    if (spool.size() > 0) return false;
    this.spooling = false;
    this.setState('healthy', undefined);
    return true;
  }

  /** While spooling, keeps trying to drain even when no new frames arrive. */
  private scheduleDrain(spool: Spool): void {
    if (this.drainTimer !== undefined) return;
    this.drainTimer = setInterval(() => {
      if (!this.spooling) {
        clearInterval(this.drainTimer);
        this.drainTimer = undefined;
        return;
      }
      if (this.flushing === undefined) {
        this.flushing = this.tryDrain(spool).then(
          () => undefined,
          () => undefined,
        ).finally(() => {
          this.flushing = undefined;
          this.kick();
        });
      }
    }, this.options.retryDelayMs);
    this.drainTimer.unref();
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

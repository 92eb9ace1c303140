import { TollgateError } from '../../errors.js';
import type { PartitionLog } from './partition-log.js';

export interface WriterConfig {
  fsync: 'always' | 'interval' | 'never';
  fsyncIntervalMs: number;
  lingerMs: number;
  maxPendingBytes: number;
  /** Called after each round made new records readable. */
  onPublished: () => void;
  /**
   * Called once when the writer fails. With 'interval' or 'never' an fsync failing on the timer
   * may lose records already acknowledged, and no append is there to carry the error.
   */
  onFailure?: (err: TollgateError) => void;
}

export interface WriterStats {
  /** Write rounds: each is one write per dirty partition, then (policy always) one fsync each. */
  rounds: number;
  /** fsyncs of segment data issued by rounds, interval ticks and rolls are not counted. */
  fsyncs: number;
  bytesWritten: number;
}

interface Round {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
  dirty: Set<PartitionLog>;
}

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function newRound(): Round {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  // Callers may drop an append's promise after close(); an unobserved rejection must not crash them.
  promise.catch(() => undefined);
  return { promise, resolve, reject, dirty: new Set() };
}

/**
 * Group commit: appends encode into partition buffers and join the collecting round; one loop
 * writes a round (one writev per partition), fsyncs it, and resolves every append in it at once.
 * While a round is being fsynced the next one collects, so concurrent appends share an fsync.
 * Memory for encoded-but-unwritten bytes is bounded by maxPendingBytes (admission below).
 */
export class GroupCommitWriter {
  readonly stats: WriterStats = { rounds: 0, fsyncs: 0, bytesWritten: 0 };
  private collecting: Round | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Immediate | NodeJS.Timeout | undefined;
  private pendingBytes = 0;
  private readonly waiters: Waiter[] = [];
  private readonly unsynced = new Set<PartitionLog>();
  private syncRequested = false;
  private readonly interval: NodeJS.Timeout | undefined;
  failure: TollgateError | undefined;

  constructor(private readonly config: WriterConfig) {
    if (config.fsync === 'interval') {
      this.interval = setInterval(() => this.requestSync(), config.fsyncIntervalMs);
      this.interval.unref();
    }
  }

  /** True when bytes may be encoded now: nobody is queued and they fit (or nothing is pending). */
  hasRoom(bytes: number): boolean {
    return this.waiters.length === 0 &&
      (this.pendingBytes === 0 || this.pendingBytes + bytes <= this.config.maxPendingBytes);
  }

  /** Takes room granted by hasRoom or waitForRoom. */
  reserve(bytes: number): void {
    this.pendingBytes += bytes;
  }

  /** Resolves, in FIFO order, once bytes fit; the room is then already reserved for the caller. */
  waitForRoom(bytes: number): Promise<void> {
    return new Promise((resolve, reject) => this.waiters.push({ bytes, resolve, reject }));
  }

  /** Joins partition to the collecting round; the promise resolves when the round is durable. */
  enlist(partition: PartitionLog): Promise<void> {
    const round = (this.collecting ??= newRound());
    round.dirty.add(partition);
    this.schedule();
    return round.promise;
  }

  /** Writes and syncs everything pending, then stops the interval timer. */
  async drain(): Promise<void> {
    // pendingBytes > 0 with nothing collecting: a granted waiter has not encoded yet; let it run.
    while (!this.failure && (this.collecting || this.running || this.waiters.length > 0 || this.pendingBytes > 0)) {
      if (this.timer !== undefined && !this.running) this.startNow();
      await (this.running ?? new Promise((r) => setImmediate(r)));
    }
    if (this.interval) clearInterval(this.interval);
  }

  private requestSync(): void {
    if (this.unsynced.size === 0) return;
    this.syncRequested = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.running || this.timer !== undefined) return;
    this.timer = this.config.lingerMs > 0
      ? setTimeout(() => this.startNow(), this.config.lingerMs)
      : setImmediate(() => this.startNow());
  }

  private startNow(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      // An append may have enlisted after the loop's last check but before this callback ran.
      if (this.collecting || this.syncRequested) this.schedule();
    });
  }

  private async loop(): Promise<void> {
    while (this.collecting || this.syncRequested) {
      const round = this.collecting ?? newRound();
      this.collecting = undefined;
      try {
        await this.runRound([...round.dirty]);
        round.resolve();
      } catch (err) {
        this.fail(err, round);
      }
    }
  }

  private async runRound(parts: PartitionLog[]): Promise<void> {
    this.stats.rounds++;
    const pieces = parts.map((p) => p.takePending());
    let bytes = 0;
    for (const list of pieces) for (const piece of list) bytes += piece.bytes;
    await Promise.all(parts.map((p, i) => p.write(pieces[i] ?? [])));
    this.stats.bytesWritten += bytes;
    this.release(bytes);
    let toSync: PartitionLog[] = [];
    if (this.config.fsync === 'always') {
      toSync = parts;
    } else {
      for (const p of parts) this.unsynced.add(p);
      if (this.syncRequested) toSync = [...this.unsynced];
    }
    this.syncRequested = false;
    if (toSync.length > 0) {
      this.stats.fsyncs += toSync.length;
      await Promise.all(toSync.map((p) => p.sync()));
      for (const p of toSync) this.unsynced.delete(p);
    }
    let published = false;
    for (const p of parts) published = p.publish() || published;
    if (published) this.config.onPublished();
  }

  private release(bytes: number): void {
    this.pendingBytes -= bytes;
    while (this.waiters.length > 0) {
      const w = this.waiters[0] as Waiter;
      if (this.pendingBytes > 0 && this.pendingBytes + w.bytes > this.config.maxPendingBytes) break;
      this.waiters.shift();
      this.pendingBytes += w.bytes;
      w.resolve();
    }
  }

  // After a failed write or fsync the file's state is unknown (Linux may drop dirty pages after a
  // failed fsync), so nothing more is accepted: reopening runs recovery on what reached the disk.
  private fail(err: unknown, round: Round): void {
    if (this.failure === undefined) queueMicrotask(() => { if (this.failure) this.config.onFailure?.(this.failure); });
    this.failure ??= new TollgateError('TG_ERR_LOG_UNAVAILABLE',
      `event log write failed (${describeIoError(err)}); no further appends are accepted until the log is reopened`,
      { cause: err, context: { errno: (err as NodeJS.ErrnoException | undefined)?.code } });
    round.reject(this.failure);
    this.collecting?.reject(this.failure);
    this.collecting = undefined;
    this.syncRequested = false;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }
}

/** "ENOSPC: disk full" style text, so the operator sees what to fix without digging for the cause. */
function describeIoError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const hint = code === 'ENOSPC' ? 'the disk is full' : code === 'EIO' ? 'the disk reported an I/O error' :
    code === 'EDQUOT' ? 'the disk quota is exhausted' : undefined;
  const text = err instanceof Error ? err.message : String(err);
  return hint === undefined ? text : `${code}: ${hint}; ${text}`;
}

import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { TollgateError } from '../errors.js';
import { decodeFrame, encodeFrame, FrameStatus, MAX_FRAME_BYTES, newFrameView } from '../log/embedded/record-codec.js';
import type { AppendRecord } from '../log/port.js';
import type { Spool } from './sink.js';

const DATA = 'spool.seg';
const POSITION = 'spool.pos';
const READ_CHUNK = 1 << 20;

export interface DiskSpoolOptions {
  dir: string;
  /** Bytes the spool may hold; an append beyond it is refused (TG_ERR_LOG_BACKPRESSURE). */
  maxBytes: number;
}

/**
 * Buffered recording's local spool: one append-only file of checksummed records (the embedded
 * log's record format) and a persisted read position. Appends are fsynced before they resolve;
 * a torn tail left by a crash is cut on open. Drained records are delivered at least once: a crash
 * between delivery and saving the position delivers that batch again.
 */
export class DiskSpool implements Spool {
  private count = 0;
  private nextSeq = 0;
  /** Operations run one at a time: each reads and moves writePos/readPos across awaits. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly options: DiskSpoolOptions,
    private file: FileHandle,
    private readPos: number,
    private writePos: number,
  ) {}

  static async open(options: DiskSpoolOptions): Promise<DiskSpool> {
    await mkdir(options.dir, { recursive: true });
    const file = await open(join(options.dir, DATA), 'a+');
    const readPos = await readPosition(options.dir);
    const spool = new DiskSpool(options, file, readPos, 0);
    await spool.recover();
    return spool;
  }

  size(): number {
    return this.count;
  }

  /** Appends records durably (fsynced) after any operation already running. */
  append(records: readonly AppendRecord[]): Promise<void> {
    return this.serial(() => this.appendNow(records));
  }

  /** Delivers spooled records oldest first; a batch is removed only after deliver resolved. */
  drain(deliver: (records: readonly AppendRecord[]) => Promise<void>): Promise<void> {
    return this.serial(() => this.drainNow(deliver));
  }

  close(): Promise<void> {
    return this.serial(() => this.file.close());
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op, op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async appendNow(records: readonly AppendRecord[]): Promise<void> {
    if ((await this.file.stat()).nlink === 0) {
      // Someone deleted the file: what is spooled lives only in this open handle until close.
      throw new TollgateError('TG_ERR_LOG_UNAVAILABLE', `recording spool file ${join(this.options.dir, DATA)} was deleted while in use; ` +
        'spooled frames survive only until this process exits: restore the log so they drain');
    }
    const frames = records.map((r) => encodeFrame(this.nextSeq++, r.timestampMs ?? Date.now(), r.key, r.value));
    const bytes = frames.reduce((n, f) => n + f.length, 0);
    if (this.writePos - this.readPos + bytes > this.options.maxBytes) {
      throw new TollgateError('TG_ERR_LOG_BACKPRESSURE', `recording spool is full (${this.options.maxBytes} bytes in ${this.options.dir})`);
    }
    const buf = Buffer.concat(frames, bytes);
    try {
      await this.file.write(buf, 0, buf.length, this.writePos);
      await this.file.datasync();
    } catch (err) {
      // Not acknowledged: cut what may have landed, so a restart cannot find (and deliver) it as
      // spooled next to the copy the caller still holds and will retry.
      await this.file.truncate(this.writePos).catch(() => undefined);
      throw new TollgateError('TG_ERR_LOG_UNAVAILABLE', `recording spool write failed in ${this.options.dir}`, { cause: err });
    }
    this.writePos += bytes;
    this.count += records.length;
  }

  private async drainNow(deliver: (records: readonly AppendRecord[]) => Promise<void>): Promise<void> {
    while (this.readPos < this.writePos) {
      const { records, end } = await this.readBatch(this.readPos);
      if (records.length === 0) break;
      await deliver(records);
      this.readPos = end;
      this.count -= records.length;
      await this.savePosition();
    }
    if (this.readPos === this.writePos && this.writePos > 0) {
      // Position 0 is saved before the cut: a crash in between redelivers (duplicates), while a
      // stale position over new appends would skip them.
      this.readPos = 0;
      await this.savePosition();
      await this.file.truncate(0);
      await this.file.datasync();
      this.writePos = 0;
    }
  }

  /**
   * Scans from the start: counts the records after the read position and cuts a torn tail. A saved
   * position that is not a record boundary (a damaged position file) restarts delivery at 0, so the
   * damage costs duplicates, never records. Damage followed by valid records is refused.
   */
  private async recover(): Promise<void> {
    const size = (await this.file.stat()).size;
    const starts: number[] = [];
    let pos = 0;
    while (pos < size) {
      const { records, end } = await this.readBatch(pos, size, starts);
      if (records.length === 0) break;
      pos = end;
    }
    if (this.readPos !== pos && !starts.includes(this.readPos)) this.readPos = 0;
    this.count = starts.filter((start) => start >= this.readPos).length;
    if (pos < size) {
      if (await this.validFrameAfter(pos + 1, size)) {
        throw new TollgateError('TG_ERR_LOG_CORRUPT', `recording spool ${join(this.options.dir, DATA)} is damaged at byte ${pos} ` +
          'and valid records follow; refusing to truncate them. Move the file aside to start with an empty spool.',
          { context: { dir: this.options.dir, position: pos } });
      }
      await this.file.truncate(pos);
      await this.file.datasync();
    }
    this.writePos = pos;
  }

  /** True when a whole checksummed record starts anywhere in [from, size). */
  private async validFrameAfter(from: number, size: number): Promise<boolean> {
    const buf = Buffer.allocUnsafe(Math.max(0, size - from));
    const { bytesRead } = await this.file.read(buf, 0, buf.length, from);
    const view = newFrameView();
    for (let q = 0; q < bytesRead; q++) {
      if (decodeFrame(buf, q, bytesRead, MAX_FRAME_BYTES, view) === FrameStatus.Ok) return true;
    }
    return false;
  }

  private async readBatch(from: number, limit = this.writePos, starts?: number[]): Promise<{ records: AppendRecord[]; end: number }> {
    let want = Math.min(READ_CHUNK, limit - from);
    for (;;) {
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await this.file.read(buf, 0, want, from);
      const view = newFrameView();
      const records: AppendRecord[] = [];
      let pos = 0;
      let status: FrameStatus = FrameStatus.Ok;
      while (pos < bytesRead) {
        status = decodeFrame(buf, pos, bytesRead, MAX_FRAME_BYTES, view);
        if (status !== FrameStatus.Ok) break;
        starts?.push(from + pos);
        records.push({
          key: buf.toString('utf8', view.keyStart, view.keyEnd),
          value: Buffer.from(buf.subarray(view.keyEnd, view.valueEnd)),
          timestampMs: view.timestampMs,
        });
        pos = view.frameEnd;
      }
      // One record larger than the chunk: read exactly as much as it declares.
      if (records.length === 0 && status === FrameStatus.Incomplete && view.frameBytes > want && from + view.frameBytes <= limit) {
        want = view.frameBytes;
        continue;
      }
      return { records, end: from + pos };
    }
  }

  private async savePosition(): Promise<void> {
    const tmp = join(this.options.dir, `${POSITION}.tmp`);
    const handle = await open(tmp, 'w');
    await handle.write(String(this.readPos));
    await handle.datasync();
    await handle.close();
    await rename(tmp, join(this.options.dir, POSITION));
  }
}

async function readPosition(dir: string): Promise<number> {
  try {
    const n = Number((await readFile(join(dir, POSITION), 'utf8')).trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

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

  async append(records: readonly AppendRecord[]): Promise<void> {
    const frames = records.map((r) => encodeFrame(this.nextSeq++, r.timestampMs ?? Date.now(), r.key, r.value));
    const bytes = frames.reduce((n, f) => n + f.length, 0);
    if (this.writePos - this.readPos + bytes > this.options.maxBytes) {
      throw new TollgateError('TG_ERR_LOG_BACKPRESSURE', `recording spool is full (${this.options.maxBytes} bytes in ${this.options.dir})`);
    }
    const buf = Buffer.concat(frames, bytes);
    await this.file.write(buf, 0, buf.length, this.writePos);
    await this.file.datasync();
    this.writePos += bytes;
    this.count += records.length;
  }

  async drain(deliver: (records: readonly AppendRecord[]) => Promise<void>): Promise<void> {
    while (this.readPos < this.writePos) {
      const { records, end } = await this.readBatch(this.readPos);
      if (records.length === 0) break;
      await deliver(records);
      this.readPos = end;
      this.count -= records.length;
      await this.savePosition();
    }
    if (this.readPos === this.writePos && this.writePos > 0) {
      await this.file.truncate(0);
      await this.file.datasync();
      this.readPos = 0;
      this.writePos = 0;
      await this.savePosition();
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  /** Counts the records after the read position and cuts a torn or corrupt tail. */
  private async recover(): Promise<void> {
    const size = (await this.file.stat()).size;
    if (this.readPos > size) this.readPos = 0;
    let pos = this.readPos;
    while (pos < size) {
      const { records, end } = await this.readBatch(pos, size);
      if (records.length === 0) break;
      this.count += records.length;
      pos = end;
    }
    if (pos < size) await this.file.truncate(pos);
    this.writePos = pos;
  }

  private async readBatch(from: number, limit = this.writePos): Promise<{ records: AppendRecord[]; end: number }> {
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

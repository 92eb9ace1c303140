import { TollgateError } from '../../errors.js';
import type { LogRecord } from '../port.js';
import type { LogIo } from './io.js';
import { OPEN_READ } from './io.js';
import type { PartitionLog } from './partition-log.js';
import { FrameStatus, decodeFrame, newFrameView } from './record-codec.js';
import type { Segment } from './segment.js';

/**
 * Reads one partition's records from its segment files for one consumer. It remembers where the
 * last batch ended, so sequential reads never seek; a seek uses the segment's sparse index.
 * Memory per read is bounded by maxBytes (or one record, when a single record is larger).
 */
export class PartitionReader {
  private seg: Segment | undefined;
  private fd = -1;
  private filePos = 0;
  private nextOffset = -1;
  private readonly view = newFrameView();
  // The last buffer read: a batch limited by maxRecords leaves records in it for the next batch.
  private cache: Buffer | undefined;
  private cacheSeg: Segment | undefined;
  private cacheStart = 0;
  private cacheLen = 0;

  constructor(
    private readonly part: PartitionLog,
    private readonly io: LogIo,
    private readonly maxFrameBytes: number,
  ) {}

  /** Up to maxRecords records from offset on, at most about maxBytes; [] when none is readable yet. */
  async read(offset: number, maxRecords: number, maxBytes: number): Promise<LogRecord[]> {
    const end = this.part.readableOffset;
    if (offset >= end) return [];
    if (this.seg === undefined || offset !== this.nextOffset) await this.seek(offset);
    let want = maxBytes;
    while (true) {
      const seg = this.seg as Segment;
      const segEnd = seg.closed ? seg.size : seg.readableBytes;
      if (this.filePos >= segEnd) {
        const next = this.part.segments.find((s) => s.baseOffset > seg.baseOffset);
        if (!seg.closed || next === undefined || !next.created) return [];
        await this.open(next, 0);
        continue;
      }
      const cached = this.fromCache(seg, offset, end, maxRecords);
      if (cached !== undefined) {
        if (cached.length > 0 || this.nextOffset >= end) return cached;
        continue;
      }
      const len = Math.min(Math.max(want, 64), segEnd - this.filePos);
      const buf = Buffer.allocUnsafe(len);
      const got = await this.io.read(this.fd, buf, 0, len, this.filePos);
      this.cache = buf;
      this.cacheSeg = seg;
      this.cacheStart = this.filePos;
      this.cacheLen = got;
      const records = this.decode(buf, 0, got, offset, end, maxRecords);
      if (records === undefined) {
        // The first record alone is bigger than the read: fetch exactly that record.
        if (this.filePos + this.view.frameBytes > segEnd) throw this.corrupt(this.filePos, 'record runs past the end');
        want = this.view.frameBytes;
        continue;
      }
      // Empty after a seek means the read held only records before offset: keep going.
      if (records.length > 0 || this.nextOffset >= end) return records;
      want = maxBytes;
    }
  }

  /** Closes the open segment file. */
  async close(): Promise<void> {
    if (this.fd >= 0) await this.io.close(this.fd);
    this.fd = -1;
    this.seg = undefined;
    this.cache = this.cacheSeg = undefined;
  }

  /** Decodes from the cached buffer when it holds whole records at filePos; undefined otherwise. */
  private fromCache(seg: Segment, from: number, end: number, maxRecords: number): LogRecord[] | undefined {
    const cache = this.cache;
    if (cache === undefined || this.cacheSeg !== seg) return undefined;
    const start = this.filePos - this.cacheStart;
    if (start < 0 || start >= this.cacheLen) return undefined;
    const records = this.decode(cache, start, this.cacheLen, from, end, maxRecords);
    if (records === undefined) this.cache = undefined;
    return records;
  }

  private decode(buf: Buffer, start: number, got: number, from: number, end: number, maxRecords: number): LogRecord[] | undefined {
    const records: LogRecord[] = [];
    const view = this.view;
    const { topic, partition } = this.part;
    let pos = start;
    while (pos < got && records.length < maxRecords) {
      const status = decodeFrame(buf, pos, got, this.maxFrameBytes, view);
      if (status === FrameStatus.Incomplete) {
        if (pos === start) return undefined;
        break;
      }
      if (status === FrameStatus.Corrupt) throw this.corrupt(this.filePos + pos, 'checksum or length mismatch');
      if (view.offset >= end) break;
      if (view.offset >= from) {
        records.push({
          topic,
          partition,
          offset: view.offset,
          key: buf.toString('utf8', view.keyStart, view.keyEnd),
          value: buf.subarray(view.keyEnd, view.valueEnd),
          timestampMs: view.timestampMs,
        });
      }
      this.nextOffset = view.offset + 1;
      pos = view.frameEnd;
    }
    this.filePos += pos - start;
    return records;
  }

  private async seek(offset: number): Promise<void> {
    const segments = this.part.segments;
    let target = segments[0] as Segment;
    for (const s of segments) {
      if (s.baseOffset > offset) break;
      if (s.created) target = s;
    }
    await this.open(target, target.index.lookup(offset));
  }

  private async open(seg: Segment, filePos: number): Promise<void> {
    if (this.seg !== seg) {
      await this.close();
      this.fd = await this.io.open(seg.path, OPEN_READ);
      this.seg = seg;
    }
    this.filePos = filePos;
    this.nextOffset = -1;
  }

  private corrupt(position: number, what: string): TollgateError {
    const file = this.seg?.path ?? '(none)';
    return new TollgateError('TG_ERR_LOG_CORRUPT',
      `event log segment ${file} is corrupt at byte ${position}: ${what}. Consumers stop here rather than skip records.`,
      { context: { file, position, topic: this.part.topic, partition: this.part.partition } });
  }
}

import { crc32 } from './crc32.js';

/**
 * Sparse offset -> file position index of one segment: one entry per indexIntervalBytes of records,
 * so seeking to a committed offset reads at most one interval of records it does not need.
 */
export class SparseIndex {
  readonly offsets: number[] = [];
  readonly positions: number[] = [];
  private lastIndexedPosition = -Infinity;

  constructor(private readonly intervalBytes: number) {}

  /** Called for every record in position order; keeps an entry only once per interval. */
  add(offset: number, position: number): void {
    if (position - this.lastIndexedPosition < this.intervalBytes) return;
    this.offsets.push(offset);
    this.positions.push(position);
    this.lastIndexedPosition = position;
  }

  /** Appends an entry unconditionally (entries decoded from an index file). */
  addEntry(offset: number, position: number): void {
    this.offsets.push(offset);
    this.positions.push(position);
    this.lastIndexedPosition = position;
  }

  /** File position of the last indexed record at or before offset (0 when none is). */
  lookup(offset: number): number {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.offsets[mid] as number) <= offset) {
        found = this.positions[mid] as number;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Takes over another index's entries (loaded from a file or a scan). */
  copyFrom(other: SparseIndex): void {
    for (let i = 0; i < other.offsets.length; i++) {
      this.offsets.push(other.offsets[i] as number);
      this.positions.push(other.positions[i] as number);
    }
    this.lastIndexedPosition = Math.max(this.lastIndexedPosition, other.lastIndexedPosition);
  }

  get entries(): number {
    return this.offsets.length;
  }
}

/** What a closed segment's .idx file holds besides the index itself. */
export interface SegmentSummary {
  baseOffset: number;
  nextOffset: number;
  maxTimestampMs: number;
  size: number;
}

/*
 * .idx file of a closed segment, big-endian:
 *   0 u32 magic 'TGIX'   4 u32 version 1   8 f64 baseOffset   16 f64 nextOffset
 *  24 f64 maxTimestampMs  32 u32 segment size  36 u32 entry count
 *  40 entries: f64 offset, u32 position     end: u32 CRC-32 of everything before it
 * Offsets are f64: exact below 2^53, and one read per field keeps the codec small.
 */
const MAGIC = 0x54474958;
const HEADER = 40;
const ENTRY = 12;

/** Encodes a closed segment's summary and index as an .idx file. */
export function encodeIndexFile(summary: SegmentSummary, index: SparseIndex): Buffer {
  const n = index.entries;
  const buf = Buffer.allocUnsafe(HEADER + n * ENTRY + 4);
  buf.writeUInt32BE(MAGIC, 0);
  buf.writeUInt32BE(1, 4);
  buf.writeDoubleBE(summary.baseOffset, 8);
  buf.writeDoubleBE(summary.nextOffset, 16);
  buf.writeDoubleBE(summary.maxTimestampMs, 24);
  buf.writeUInt32BE(summary.size, 32);
  buf.writeUInt32BE(n, 36);
  for (let i = 0; i < n; i++) {
    buf.writeDoubleBE(index.offsets[i] as number, HEADER + i * ENTRY);
    buf.writeUInt32BE(index.positions[i] as number, HEADER + i * ENTRY + 8);
  }
  buf.writeUInt32BE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4);
  return buf;
}

/** Decodes an .idx file; undefined when it is damaged or does not match (then rebuild by scanning). */
export function decodeIndexFile(
  buf: Buffer, intervalBytes: number,
): { summary: SegmentSummary; index: SparseIndex } | undefined {
  if (buf.length < HEADER + 4 || buf.readUInt32BE(0) !== MAGIC || buf.readUInt32BE(4) !== 1) return undefined;
  const n = buf.readUInt32BE(36);
  if (buf.length !== HEADER + n * ENTRY + 4) return undefined;
  if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32BE(buf.length - 4)) return undefined;
  const index = new SparseIndex(intervalBytes);
  for (let i = 0; i < n; i++) {
    index.addEntry(buf.readDoubleBE(HEADER + i * ENTRY), buf.readUInt32BE(HEADER + i * ENTRY + 8));
  }
  const summary = {
    baseOffset: buf.readDoubleBE(8),
    nextOffset: buf.readDoubleBE(16),
    maxTimestampMs: buf.readDoubleBE(24),
    size: buf.readUInt32BE(32),
  };
  return { summary, index };
}

/**
 * The bytes pushed into a decoder and not yet consumed, kept as the chunks they arrived in.
 *
 * A frame that lies inside one chunk is returned as a subarray of that chunk, or just located in it by
 * `takeRange` (zero copy). Only a frame that straddles chunks is copied, once, into a buffer of exactly
 * its size. Memory that was handed out is never written again, so a frame's bytes stay valid for as long
 * as the caller does not modify the chunks it pushed (socket chunks are fresh buffers, so holding a frame
 * is always safe; holding one keeps its whole chunk alive, so copy a frame you keep for long).
 *
 * A peer that trickles a large frame one byte per TCP segment would otherwise cost a Buffer object
 * (~100 bytes) per byte; runs of small chunks are therefore merged, so bookkeeping stays proportional
 * to the bytes held.
 */
export class FrameQueue {
  private head: Buffer = EMPTY;
  private off = 0;
  private tail: Buffer[] = [];
  private tailIdx = 0;
  /** Bytes pushed and not yet taken. */
  available = 0;
  /** Where the frame consumed by the last `takeRange` lies: its buffer and start offset. */
  rangeSource: Buffer = EMPTY;
  rangeStart = 0;

  /** How many trailing tail entries are small chunks, candidates for merging. */
  private smallRun = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.available === 0) {
      this.head = chunk;
      this.off = 0;
    } else {
      this.tail.push(chunk);
      if (chunk.length >= SMALL_CHUNK) this.smallRun = 0;
      else if (++this.smallRun >= MAX_SMALL_RUN) this.mergeSmallRun();
    }
    this.available += chunk.length;
  }

  /** Chunks currently held (head included); exposed so tests can check bookkeeping stays bounded. */
  get chunkCount(): number {
    return (this.head.length > 0 ? 1 : 0) + this.tail.length - this.tailIdx;
  }

  private mergeSmallRun(): void {
    const from = Math.max(this.tail.length - this.smallRun, this.tailIdx);
    // A fresh buffer: the merged chunks were never handed out, so nothing outside sees the copy.
    const merged = Buffer.concat(this.tail.slice(from));
    this.tail.length = from;
    this.tail.push(merged);
    this.smallRun = merged.length < SMALL_CHUNK ? 1 : 0;
  }

  /** The byte `i` positions past the read cursor; the caller checks `i < available`. */
  byteAt(i: number): number {
    const inHead = this.head.length - this.off;
    if (i < inHead) return this.head.readUInt8(this.off + i);
    let rest = i - inHead;
    for (let k = this.tailIdx; k < this.tail.length; k++) {
      const c = this.tail[k] ?? EMPTY;
      if (rest < c.length) return c.readUInt8(rest);
      rest -= c.length;
    }
    throw new RangeError(`FrameQueue.byteAt(${i}) beyond ${this.available} buffered bytes`);
  }

  /** The signed big-endian Int32 `i` positions past the cursor; the caller checks `i + 4 <= available`. */
  int32At(i: number): number {
    if (this.off + i + 4 <= this.head.length) return this.head.readInt32BE(this.off + i);
    return ((this.byteAt(i) << 24) | (this.byteAt(i + 1) << 16) | (this.byteAt(i + 2) << 8) | this.byteAt(i + 3)) | 0;
  }

  /** Consumes `n` bytes (the caller checks `n <= available`): a view when they are contiguous, else one copy. */
  take(n: number): Buffer {
    const head = this.head;
    const start = this.off;
    const inHead = head.length - start;
    if (n > inHead) return this.takeStraddling(n);
    this.off = start + n;
    this.available -= n;
    if (n === inHead) this.nextHead();
    return head.subarray(start, start + n);
  }

  /**
   * Consumes `n` bytes like `take`, but only records where they lie (`rangeSource`, `rangeStart`) instead
   * of creating a view: the hot messages (DataRow, CopyData) are mostly forwarded without ever needing one.
   */
  takeRange(n: number): void {
    const head = this.head;
    const start = this.off;
    const inHead = head.length - start;
    if (n > inHead) {
      this.rangeSource = this.takeStraddling(n);
      this.rangeStart = 0;
      return;
    }
    this.off = start + n;
    this.available -= n;
    if (n === inHead) this.nextHead();
    this.rangeSource = head;
    this.rangeStart = start;
  }

  private takeStraddling(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const have = this.head.length - this.off;
      const want = Math.min(have, n - filled);
      this.head.copy(out, filled, this.off, this.off + want);
      filled += want;
      this.off += want;
      if (this.off === this.head.length) this.nextHead();
    }
    this.available -= n;
    return out;
  }

  private nextHead(): void {
    if (this.tailIdx < this.tail.length) {
      this.head = this.tail[this.tailIdx] ?? EMPTY;
      this.tailIdx++;
      if (this.tailIdx === this.tail.length) {
        this.tail = [];
        this.tailIdx = 0;
        this.smallRun = 0;
      }
    } else {
      this.head = EMPTY;
    }
    this.off = 0;
  }
}

const EMPTY = Buffer.alloc(0);
const SMALL_CHUNK = 1024;
const MAX_SMALL_RUN = 256;

import { writeFile } from 'node:fs/promises';
import type { LogIo } from './io.js';
import { OPEN_CREATE_NEW, OPEN_WRITE, fsyncDir } from './io.js';
import { FRAME_HEADER_BYTES, writeFrameAroundKey } from './record-codec.js';
import { Segment } from './segment.js';
import { SparseIndex, encodeIndexFile } from './segment-index.js';

/** Records of one partition encoded for one segment and not yet written. */
export interface Piece {
  segment: Segment;
  bufs: Buffer[];
  bytes: number;
  endOffset: number;
  maxTimestampMs: number;
  /** The segment is full after this piece: close it before writing the next piece. */
  rollsAfter: boolean;
}

export interface PartitionConfig {
  segmentBytes: number;
  indexIntervalBytes: number;
  io: LogIo;
  /** Creates the topic and partition directories the first time something is written. */
  ensureDir: () => Promise<void>;
}

// Encoding goes into large shared chunks, so a write round is a handful of iovecs, not one per record.
const CHUNK_BYTES = 1024 * 1024;

/** One partition: its segments, the offsets it assigns, and the encoded records awaiting a write. */
export class PartitionLog {
  nextOffset: number;
  /** Offsets below this are written (and fsynced when the policy says so): consumers may read them. */
  readableOffset: number;
  private projectedSize: number;
  private sealed: Piece[] = [];
  private open: Piece | undefined;
  private chunk: Buffer | undefined;
  private chunkStart = 0;
  private chunkPos = 0;
  private dirDirty = false;
  /** The segment the last write went to: the one to fsync and publish (the active one may be newer). */
  private lastWritten: Segment;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly dir: string,
    readonly segments: Segment[],
    private readonly config: PartitionConfig,
  ) {
    const active = this.active;
    this.nextOffset = active.nextOffset;
    this.readableOffset = active.nextOffset;
    this.projectedSize = active.size;
    this.lastWritten = active;
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }

  get logStartOffset(): number {
    return (this.segments[0] as Segment).baseOffset;
  }

  /** Encodes one record with its key's UTF-8 bytes; returns its frame size. */
  encode(key: Uint8Array, value: Uint8Array, timestampMs: number): number {
    const size = FRAME_HEADER_BYTES + key.length + value.length;
    if (this.projectedSize > 0 && this.projectedSize + size > this.config.segmentBytes) this.roll();
    if (this.chunk === undefined || this.chunk.length - this.chunkPos < size) {
      this.sealChunk();
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, size));
      this.chunkStart = this.chunkPos = 0;
    }
    const piece = (this.open ??= this.newPiece(this.segments[this.segments.length - 1] as Segment));
    const pos = this.chunkPos;
    this.chunk.set(key, pos + FRAME_HEADER_BYTES);
    writeFrameAroundKey(this.chunk, pos, key.length, this.nextOffset, timestampMs, value);
    piece.segment.index.add(this.nextOffset, this.projectedSize);
    this.chunkPos += size;
    this.projectedSize += size;
    this.nextOffset++;
    piece.bytes += size;
    piece.endOffset = this.nextOffset;
    if (timestampMs > piece.maxTimestampMs) piece.maxTimestampMs = timestampMs;
    return size;
  }

  /** Hands over everything encoded so far, in write order. */
  takePending(): Piece[] {
    this.sealChunk();
    if (this.open) this.sealed.push(this.open);
    this.open = undefined;
    const pieces = this.sealed;
    this.sealed = [];
    return pieces;
  }

  /** Writes pieces in order, closing (fsync + index file) each segment that filled up. */
  async write(pieces: readonly Piece[]): Promise<void> {
    const { io } = this.config;
    for (const piece of pieces) {
      const seg = piece.segment;
      if (seg.fd < 0) {
        if (!seg.created) await this.config.ensureDir();
        seg.fd = await io.open(seg.path, seg.created ? OPEN_WRITE : OPEN_CREATE_NEW);
        if (!seg.created) this.dirDirty = true;
        seg.created = true;
      }
      if (piece.bytes > 0) await io.writev(seg.fd, piece.bufs, seg.size);
      this.lastWritten = seg;
      seg.size += piece.bytes;
      seg.nextOffset = piece.endOffset;
      if (piece.maxTimestampMs > seg.maxTimestampMs) seg.maxTimestampMs = piece.maxTimestampMs;
      if (piece.rollsAfter) await this.closeSegment(seg);
    }
  }

  /** fsyncs the active segment and, after a segment was created, the directory entry. */
  async sync(): Promise<void> {
    const { io } = this.config;
    if (this.dirDirty) {
      this.dirDirty = false;
      await fsyncDir(io, this.dir);
    }
    if (this.lastWritten.fd >= 0) await io.fsync(this.lastWritten.fd);
  }

  /** Makes everything written so far visible to consumers. */
  publish(): boolean {
    const seg = this.lastWritten;
    seg.readableBytes = seg.size;
    const end = seg.nextOffset;
    if (end === this.readableOffset) return false;
    this.readableOffset = end;
    return true;
  }

  /** Closes the writer's descriptors at log close, fsyncing first unless the log already failed. */
  async release(sync: boolean): Promise<void> {
    for (const seg of [this.lastWritten, this.active]) {
      if (seg.fd < 0) continue;
      const fd = seg.fd;
      seg.fd = -1;
      try {
        if (sync) await this.config.io.fsync(fd);
      } finally {
        await this.config.io.close(fd);
      }
    }
  }

  private async closeSegment(seg: Segment): Promise<void> {
    const { io } = this.config;
    // A closed segment is never rescanned on open, so it must be whole on disk before the next starts.
    await io.fsync(seg.fd);
    await io.close(seg.fd);
    seg.fd = -1;
    seg.readableBytes = seg.size;
    seg.closed = true;
    // The index is rebuilt by scanning when missing or damaged, so no fsync is needed for it.
    await writeFile(seg.indexPath, encodeIndexFile(
      { baseOffset: seg.baseOffset, nextOffset: seg.nextOffset, maxTimestampMs: seg.maxTimestampMs, size: seg.size },
      seg.index,
    ));
  }

  private roll(): void {
    this.sealChunk();
    if (this.open) {
      this.open.rollsAfter = true;
      this.sealed.push(this.open);
    } else {
      // Nothing pending for the active segment: mark the roll with an empty piece.
      this.sealed.push({ ...this.newPiece(this.active), rollsAfter: true });
    }
    const next = new Segment(this.nextOffset, this.dir, new SparseIndex(this.config.indexIntervalBytes));
    this.segments.push(next);
    this.open = this.newPiece(next);
    this.projectedSize = 0;
  }

  private newPiece(segment: Segment): Piece {
    return { segment, bufs: [], bytes: 0, endOffset: this.nextOffset, maxTimestampMs: 0, rollsAfter: false };
  }

  private sealChunk(): void {
    if (this.chunk === undefined || this.chunkPos === this.chunkStart || this.open === undefined) return;
    this.open.bufs.push(this.chunk.subarray(this.chunkStart, this.chunkPos));
    this.chunkStart = this.chunkPos;
  }
}

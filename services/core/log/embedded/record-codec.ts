import { crc32Range } from './crc32.js';

/*
 * One record on disk, big-endian, no padding:
 *
 *   0  u32  length      bytes after this field (frame size - 4)
 *   4  u32  crc         CRC-32 of bytes [8, 4 + length): magic through the end of value
 *   8  u8   magic       format version, 1
 *   9  u64  offset      record offset in its partition (hi u32, lo u32; < 2^53)
 *  17  u64  timestamp   epoch ms (hi u32, lo u32)
 *  25  u16  keyLength   UTF-8 bytes of the key
 *  27  key, then value (the rest of the frame)
 */
export const FRAME_HEADER_BYTES = 27;
export const RECORD_MAGIC = 1;
export const MAX_KEY_BYTES = 0xffff;
/** Largest frame any version of tollgate writes (256 MiB value + key + header); larger is garbage. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024 + MAX_KEY_BYTES + 27;
const TWO_32 = 0x1_0000_0000;

/** Outcome of decoding one frame. */
export const FrameStatus = {
  Ok: 0,
  /** Fewer bytes than the frame needs: read more, or a torn tail at end of file. */
  Incomplete: 1,
  /** Length out of range, checksum mismatch or unknown magic. */
  Corrupt: 2,
} as const;
export type FrameStatus = (typeof FrameStatus)[keyof typeof FrameStatus];

/** Where one decoded frame's fields sit in the buffer; reused across calls to avoid allocations. */
export interface FrameView {
  offset: number;
  timestampMs: number;
  keyStart: number;
  keyEnd: number;
  valueEnd: number;
  frameEnd: number;
  /** Declared frame size, valid also when Incomplete (tells the reader how much to fetch). */
  frameBytes: number;
}

/** A FrameView to reuse across decodeFrame calls. */
export function newFrameView(): FrameView {
  return { offset: 0, timestampMs: 0, keyStart: 0, keyEnd: 0, valueEnd: 0, frameEnd: 0, frameBytes: 0 };
}

/** Frame size of a record with the given key and value byte lengths. */
export function frameSize(keyBytes: number, valueBytes: number): number {
  return FRAME_HEADER_BYTES + keyBytes + valueBytes;
}

/** Big-endian u32 without writeUInt32BE's range checks (every caller passes a u32). */
function u32(buf: Buffer, pos: number, v: number): void {
  buf[pos] = v >>> 24;
  buf[pos + 1] = (v >>> 16) & 0xff;
  buf[pos + 2] = (v >>> 8) & 0xff;
  buf[pos + 3] = v & 0xff;
}

/**
 * Writes one frame at pos; the key is already at pos + FRAME_HEADER_BYTES (the caller encoded it
 * there to hash it without a copy). Returns the position after the frame.
 */
export function writeFrameAroundKey(
  buf: Buffer, pos: number, keyBytes: number, offset: number, timestampMs: number, value: Uint8Array,
): number {
  const valueStart = pos + FRAME_HEADER_BYTES + keyBytes;
  const end = valueStart + value.length;
  u32(buf, pos, end - pos - 4);
  buf[pos + 8] = RECORD_MAGIC;
  u32(buf, pos + 9, Math.floor(offset / TWO_32));
  u32(buf, pos + 13, offset >>> 0);
  u32(buf, pos + 17, Math.floor(timestampMs / TWO_32));
  u32(buf, pos + 21, timestampMs >>> 0);
  buf[pos + 25] = keyBytes >>> 8;
  buf[pos + 26] = keyBytes & 0xff;
  buf.set(value, valueStart);
  u32(buf, pos + 4, crc32Range(buf, pos + 8, end));
  return end;
}

/** Encodes one record into a new buffer (tests and tools; the writer encodes in place). */
export function encodeFrame(offset: number, timestampMs: number, key: string, value: Uint8Array): Buffer {
  const keyBytes = Buffer.byteLength(key, 'utf8');
  const buf = Buffer.allocUnsafe(frameSize(keyBytes, value.length));
  buf.write(key, FRAME_HEADER_BYTES, 'utf8');
  writeFrameAroundKey(buf, 0, keyBytes, offset, timestampMs, value);
  return buf;
}

/**
 * Decodes the frame at pos without copying; end bounds the valid bytes in buf. Never throws:
 * returns Incomplete when more bytes are needed and Corrupt when the bytes cannot be a frame.
 */
export function decodeFrame(buf: Buffer, pos: number, end: number, maxFrameBytes: number, out: FrameView): FrameStatus {
  if (end - pos < 4) return FrameStatus.Incomplete;
  const frameBytes = buf.readUInt32BE(pos) + 4;
  out.frameBytes = frameBytes;
  if (frameBytes < FRAME_HEADER_BYTES || frameBytes > maxFrameBytes) return FrameStatus.Corrupt;
  if (end - pos < frameBytes) return FrameStatus.Incomplete;
  const frameEnd = pos + frameBytes;
  if (buf[pos + 8] !== RECORD_MAGIC) return FrameStatus.Corrupt;
  if (crc32Range(buf, pos + 8, frameEnd) !== buf.readUInt32BE(pos + 4)) return FrameStatus.Corrupt;
  const keyEnd = pos + FRAME_HEADER_BYTES + buf.readUInt16BE(pos + 25);
  if (keyEnd > frameEnd) return FrameStatus.Corrupt;
  out.offset = buf.readUInt32BE(pos + 9) * TWO_32 + buf.readUInt32BE(pos + 13);
  out.timestampMs = buf.readUInt32BE(pos + 17) * TWO_32 + buf.readUInt32BE(pos + 21);
  out.keyStart = pos + FRAME_HEADER_BYTES;
  out.keyEnd = keyEnd;
  out.valueEnd = frameEnd;
  out.frameEnd = frameEnd;
  return FrameStatus.Ok;
}

/** Reads the declared offset of a frame without verifying it (used to resynchronise after damage). */
export function peekOffset(buf: Buffer, pos: number): number {
  return buf.readUInt32BE(pos + 9) * TWO_32 + buf.readUInt32BE(pos + 13);
}

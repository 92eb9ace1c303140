import { stat } from 'node:fs/promises';
import { TollgateError } from '../../errors.js';
import type { LogIo } from './io.js';
import { OPEN_READ } from './io.js';
import { FRAME_HEADER_BYTES, FrameStatus, decodeFrame, newFrameView, peekOffset, RECORD_MAGIC } from './record-codec.js';
import { crc32 } from './crc32.js';
import { SparseIndex } from './segment-index.js';

export interface ScanOptions {
  maxFrameBytes: number;
  indexIntervalBytes: number;
  /** Only the last segment of a partition may end in a torn write; elsewhere damage is corruption. */
  allowTornTail: boolean;
}

export interface ScanResult {
  /** Bytes of whole, valid records from the start of the file. */
  validBytes: number;
  /** Bytes after them: a torn tail to truncate (0 when the segment ends cleanly). */
  tornBytes: number;
  nextOffset: number;
  maxTimestampMs: number;
  index: SparseIndex;
}

const READ_CHUNK = 1024 * 1024;

/**
 * Reads a segment start to end, verifying every record's checksum and offset. Damage that reaches
 * the end of the file is a torn tail (reported in tornBytes); damage followed by a valid record is
 * corruption in the middle and throws TG_ERR_LOG_CORRUPT, because truncating would lose records.
 */
export async function scanSegment(io: LogIo, file: string, baseOffset: number, opts: ScanOptions): Promise<ScanResult> {
  let fileSize = (await stat(file)).size;
  const fd = await io.open(file, OPEN_READ);
  try {
    const index = new SparseIndex(opts.indexIntervalBytes);
    const view = newFrameView();
    let buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(fileSize, 1)));
    let bufStart = 0;
    let bufLen = 0;
    let pos = 0;
    let expected = baseOffset;
    let maxTimestampMs = 0;
    while (pos < fileSize) {
      const status = decodeFrame(buf, pos - bufStart, bufLen, opts.maxFrameBytes, view);
      if (status === FrameStatus.Incomplete && bufStart + bufLen < fileSize) {
        const need = Math.min(fileSize - pos, Math.max(READ_CHUNK, view.frameBytes));
        if (buf.length < need) buf = Buffer.allocUnsafe(need);
        bufLen = await io.read(fd, buf, 0, need, pos);
        bufStart = pos;
        // The file shrank under us (it should not: we hold the lock); judge what is there.
        if (bufLen < need) fileSize = pos + bufLen;
        continue;
      }
      if (status !== FrameStatus.Ok || view.offset !== expected) {
        if (!opts.allowTornTail || (await validFrameAfter(io, fd, pos + 1, fileSize, expected, opts.maxFrameBytes))) {
          throw corruptAt(file, pos, expected, status === FrameStatus.Ok ? 'unexpected offset' : 'bad record');
        }
        return { validBytes: pos, tornBytes: fileSize - pos, nextOffset: expected, maxTimestampMs, index };
      }
      index.add(expected, pos);
      if (view.timestampMs > maxTimestampMs) maxTimestampMs = view.timestampMs;
      expected++;
      pos += view.frameBytes;
    }
    return { validBytes: pos, tornBytes: 0, nextOffset: expected, maxTimestampMs, index };
  } finally {
    await io.close(fd);
  }
}

function corruptAt(file: string, position: number, expectedOffset: number, what: string): TollgateError {
  return new TollgateError('TG_ERR_LOG_CORRUPT',
    `event log segment ${file} has a ${what} at byte ${position} (expected offset ${expectedOffset}) ` +
    'followed by valid records; refusing to truncate. Restore the file from a copy or move it aside.',
    { context: { file, position, expectedOffset } });
}

/** True when some position in [from, fileSize) holds a checksummed frame with a plausible offset. */
async function validFrameAfter(
  io: LogIo, fd: number, from: number, fileSize: number, expected: number, maxFrameBytes: number,
): Promise<boolean> {
  const len = fileSize - from;
  if (len < FRAME_HEADER_BYTES) return false;
  const buf = Buffer.allocUnsafe(len);
  const got = await io.read(fd, buf, 0, len, from);
  for (let q = 0; q + FRAME_HEADER_BYTES <= got; q++) {
    if (buf[q + 8] !== RECORD_MAGIC) continue;
    const frameBytes = buf.readUInt32BE(q) + 4;
    if (frameBytes < FRAME_HEADER_BYTES || frameBytes > maxFrameBytes || q + frameBytes > got) continue;
    const offset = peekOffset(buf, q);
    if (offset < expected || offset > expected + 0xffffffff) continue;
    if (crc32(buf.subarray(q + 8, q + frameBytes)) === buf.readUInt32BE(q + 4)) return true;
  }
  return false;
}

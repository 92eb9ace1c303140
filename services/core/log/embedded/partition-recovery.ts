import { readFile, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { TollgateError } from '../../errors.js';
import type { LogIo } from './io.js';
import { OPEN_WRITE } from './io.js';
import { Segment, segmentBases } from './segment.js';
import { SparseIndex, decodeIndexFile, encodeIndexFile } from './segment-index.js';
import { scanSegment } from './segment-scan.js';

export interface RecoveryOptions {
  io: LogIo;
  maxFrameBytes: number;
  indexIntervalBytes: number;
}

/** What recovery did to one partition; tornBytes > 0 means a torn tail was cut off. */
export interface RecoveryNote {
  dir: string;
  segments: number;
  tornBytes: number;
  rebuiltIndexes: number;
}

/**
 * Loads a partition directory: closed segments from their .idx files (rebuilt by a verifying scan
 * when missing or stale), the last segment by a full scan that truncates a torn tail. The result
 * always has at least one segment; a partition never written to gets one that is not yet created.
 */
export async function recoverPartition(dir: string, opts: RecoveryOptions): Promise<{ segments: Segment[]; note: RecoveryNote }> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (name.includes('.tmp-')) await unlink(path.join(dir, name));
  const bases = segmentBases(names);
  const note: RecoveryNote = { dir, segments: bases.length, tornBytes: 0, rebuiltIndexes: 0 };
  const segments: Segment[] = [];
  for (let i = 0; i < bases.length; i++) {
    const seg = i < bases.length - 1
      ? await loadClosed(dir, bases[i] as number, opts, note)
      : await loadLast(dir, bases[i] as number, opts, note);
    const prev = segments[segments.length - 1];
    if (prev && prev.nextOffset !== seg.baseOffset) {
      throw new TollgateError('TG_ERR_LOG_CORRUPT',
        `event log partition ${dir} has a gap: ${prev.path} ends at offset ${prev.nextOffset} but the next segment starts at ${seg.baseOffset}`,
        { context: { dir } });
    }
    segments.push(seg);
  }
  await removeOrphanIndexes(dir, names, bases);
  if (segments.length === 0) segments.push(new Segment(0, dir, new SparseIndex(opts.indexIntervalBytes)));
  return { segments, note };
}

async function loadClosed(dir: string, base: number, opts: RecoveryOptions, note: RecoveryNote): Promise<Segment> {
  const seg = new Segment(base, dir, new SparseIndex(opts.indexIntervalBytes));
  const fileSize = (await stat(seg.path)).size;
  const stored = decodeIndexFile(await readFile(seg.indexPath).catch(() => Buffer.alloc(0)), opts.indexIntervalBytes);
  if (stored && stored.summary.baseOffset === base && stored.summary.size === fileSize) {
    seg.index.copyFrom(stored.index);
    seg.nextOffset = stored.summary.nextOffset;
    seg.maxTimestampMs = stored.summary.maxTimestampMs;
  } else {
    const scan = await scanSegment(opts.io, seg.path, base, {
      maxFrameBytes: opts.maxFrameBytes, indexIntervalBytes: opts.indexIntervalBytes, allowTornTail: false,
    });
    seg.index.copyFrom(scan.index);
    seg.nextOffset = scan.nextOffset;
    seg.maxTimestampMs = scan.maxTimestampMs;
    await writeFile(seg.indexPath, encodeIndexFile({ baseOffset: base, nextOffset: scan.nextOffset, maxTimestampMs: scan.maxTimestampMs, size: fileSize }, seg.index));
    note.rebuiltIndexes++;
  }
  seg.size = seg.readableBytes = fileSize;
  seg.created = seg.closed = true;
  return seg;
}

async function loadLast(dir: string, base: number, opts: RecoveryOptions, note: RecoveryNote): Promise<Segment> {
  const seg = new Segment(base, dir, new SparseIndex(opts.indexIntervalBytes));
  const scan = await scanSegment(opts.io, seg.path, base, {
    maxFrameBytes: opts.maxFrameBytes, indexIntervalBytes: opts.indexIntervalBytes, allowTornTail: true,
  });
  if (scan.tornBytes > 0) {
    const fd = await opts.io.open(seg.path, OPEN_WRITE);
    try {
      await opts.io.ftruncate(fd, scan.validBytes);
      await opts.io.fsync(fd);
    } finally {
      await opts.io.close(fd);
    }
    note.tornBytes += scan.tornBytes;
  }
  seg.index.copyFrom(scan.index);
  seg.size = seg.readableBytes = scan.validBytes;
  seg.nextOffset = scan.nextOffset;
  seg.maxTimestampMs = scan.maxTimestampMs;
  seg.created = true;
  // A stale .idx of the segment that was active at the crash would describe other bytes.
  await unlink(seg.indexPath).catch(() => undefined);
  return seg;
}

async function removeOrphanIndexes(dir: string, names: readonly string[], bases: readonly number[]): Promise<void> {
  const known = new Set(bases);
  for (const name of names) {
    const m = /^(\d{20})\.idx$/.exec(name);
    if (m && !known.has(Number(m[1]))) await unlink(path.join(dir, name)).catch(() => undefined);
  }
}

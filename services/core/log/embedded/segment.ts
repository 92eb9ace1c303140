import { rename, writeFile, unlink } from 'node:fs/promises';
import * as path from 'node:path';
import type { SparseIndex } from './segment-index.js';

/** One segment file: records [baseOffset, nextOffset) of a partition, named by its base offset. */
export class Segment {
  /** Writer's descriptor while this is the active segment; -1 otherwise. */
  fd = -1;
  /** Bytes written to the file. */
  size = 0;
  /** Bytes readers may read: written, and fsynced when the policy acknowledges only after fsync. */
  readableBytes = 0;
  nextOffset: number;
  maxTimestampMs = 0;
  closed = false;
  /** Set once the file exists on disk (the writer creates it lazily on the first write). */
  created = false;

  constructor(
    readonly baseOffset: number,
    readonly dir: string,
    readonly index: SparseIndex,
  ) {
    this.nextOffset = baseOffset;
  }

  get path(): string {
    return segmentPath(this.dir, this.baseOffset);
  }

  get indexPath(): string {
    return path.join(this.dir, `${baseName(this.baseOffset)}.idx`);
  }
}

function baseName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

/** Path of the segment file with this base offset in a partition directory. */
export function segmentPath(dir: string, baseOffset: number): string {
  return path.join(dir, `${baseName(baseOffset)}.seg`);
}

/** Base offsets of the segment files in a partition directory, ascending. */
export function segmentBases(fileNames: readonly string[]): number[] {
  const bases: number[] = [];
  for (const name of fileNames) {
    const m = /^(\d{20})\.seg$/.exec(name);
    if (m) bases.push(Number(m[1]));
  }
  return bases.sort((a, b) => a - b);
}

/**
 * Replaces a file atomically: write a temp file, rename over the target. Callers that need the
 * result to survive power loss pass sync, which fsyncs the temp file and then the directory.
 */
export async function writeFileAtomic(
  target: string, data: Buffer | string, sync?: { file: (p: string) => Promise<void>; dir: (d: string) => Promise<void> },
): Promise<void> {
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    if (sync) await sync.file(tmp);
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (sync) await sync.dir(path.dirname(target));
}

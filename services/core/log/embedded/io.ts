import * as fs from 'node:fs';

/**
 * The file operations the log performs on segment data, behind a seam so tests can count fsyncs,
 * hold writes back or inject failures. Callback fs wrapped once: cheaper than fs.promises handles.
 */
export interface LogIo {
  open(path: string, flags: number): Promise<number>;
  /** Writes every byte of buffers at position, looping over short writes. */
  writev(fd: number, buffers: readonly Buffer[], position: number): Promise<void>;
  /** Reads up to length bytes at position; fewer only at end of file. */
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  close(fd: number): Promise<void>;
}

export const OPEN_READ = fs.constants.O_RDONLY;
export const OPEN_WRITE = fs.constants.O_RDWR | fs.constants.O_CREAT;
/** A new segment: never open (and so overwrite) a file that is already there. */
export const OPEN_CREATE_NEW = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL;

/**
 * Writes on the calling thread. A write lands in the page cache (the fsync is what waits for the
 * disk, and that stays on the thread pool), so doing it inline costs microseconds per round and
 * saves a thread-pool round trip per partition per round: the log's acknowledgement then waits for
 * one hop (the fsync), the same as a raw writeSync + fsync loop. A round is bounded by
 * maxPendingBytes, which bounds how long the event loop can be held.
 */
function writevInline(fd: number, buffers: readonly Buffer[], position: number): Promise<void> {
  try {
    let pos = position;
    let rest = buffers.filter((b) => b.length > 0);
    while (rest.length > 0) {
      const written = fs.writevSync(fd, rest, pos);
      pos += written;
      rest = dropWritten(rest, written);
    }
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** The same on the thread pool, for callers that must never block the event loop. */
export function writevAll(fd: number, buffers: readonly Buffer[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (bufs: Buffer[], pos: number): void => {
      fs.writev(fd, bufs, pos, (err, written) => {
        if (err) return reject(err);
        const rest = dropWritten(bufs, written);
        if (rest.length === 0) return resolve();
        step(rest, pos + written);
      });
    };
    step(buffers.filter((b) => b.length > 0), position);
  });
}

function dropWritten(bufs: Buffer[], written: number): Buffer[] {
  let left = written;
  let i = 0;
  while (i < bufs.length && left >= (bufs[i] as Buffer).length) left -= (bufs[i++] as Buffer).length;
  const rest = bufs.slice(i);
  if (left > 0 && rest.length > 0) rest[0] = (rest[0] as Buffer).subarray(left);
  return rest;
}

function readAll(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      fs.read(fd, buffer, offset + done, length - done, position + done, (err, n) => {
        if (err) return reject(err);
        done += n;
        if (n === 0 || done >= length) return resolve(done);
        step();
      });
    };
    step();
  });
}

const voidCb = (resolve: () => void, reject: (e: Error) => void) => (err: Error | null): void => {
  if (err) reject(err);
  else resolve();
};

/** The real file system. */
export const nodeIo: LogIo = {
  open: (path, flags) => new Promise((resolve, reject) => {
    fs.open(path, flags, 0o644, (err, fd) => (err ? reject(err) : resolve(fd)));
  }),
  writev: writevInline,
  read: readAll,
  fsync: (fd) => new Promise((resolve, reject) => fs.fsync(fd, voidCb(resolve, reject))),
  ftruncate: (fd, length) => new Promise((resolve, reject) => fs.ftruncate(fd, length, voidCb(resolve, reject))),
  close: (fd) => new Promise((resolve, reject) => fs.close(fd, voidCb(resolve, reject))),
};

/** fsyncs a directory so a created, renamed or deleted entry in it survives a power cut. */
export async function fsyncDir(io: LogIo, dir: string): Promise<void> {
  const fd = await io.open(dir, OPEN_READ);
  try {
    await io.fsync(fd);
  } finally {
    await io.close(fd);
  }
}

import type { LogIo } from './io.js';
import { nodeIo } from './io.js';

/** Test seam: the real file system, with counters and a gate that can hold writes back. */
export interface ProbeIo extends LogIo {
  counts: { writev: number; fsync: number; readBytes: number };
  /** Ordered trace of completed writes and fsyncs, for ordering assertions. */
  trace: string[];
  /** While closed, writev calls wait (their data is still pending) until open() is called. */
  gate: { close(): void; open(): void };
}

/** Wraps nodeIo (or base) with counters, a trace and a write gate. */
export function probeIo(base: LogIo = nodeIo): ProbeIo {
  let closed = false;
  const waiting: Array<() => void> = [];
  const counts = { writev: 0, fsync: 0, readBytes: 0 };
  const trace: string[] = [];
  return {
    counts,
    trace,
    gate: {
      close: () => { closed = true; },
      open: () => {
        closed = false;
        for (const w of waiting.splice(0)) w();
      },
    },
    open: (p, flags) => base.open(p, flags),
    writev: async (fd, buffers, position) => {
      if (closed) await new Promise<void>((resolve) => waiting.push(resolve));
      await base.writev(fd, buffers, position);
      counts.writev++;
      trace.push('write');
    },
    read: async (fd, buffer, offset, length, position) => {
      const n = await base.read(fd, buffer, offset, length, position);
      counts.readBytes += n;
      return n;
    },
    fsync: async (fd) => {
      await base.fsync(fd);
      counts.fsync++;
      trace.push('fsync');
    },
    ftruncate: (fd, length) => base.ftruncate(fd, length),
    close: (fd) => base.close(fd),
  };
}

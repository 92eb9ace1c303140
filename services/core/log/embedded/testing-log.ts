import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EventLog, LogRecord } from '../port.js';
import { FrameStatus, MAX_FRAME_BYTES, decodeFrame, newFrameView } from './record-codec.js';
import { segmentBases, segmentPath } from './segment.js';

/** Test helpers for this adapter; not used by production code. */

/** A fresh directory under the OS temp dir. */
export function tempDir(label: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `tg-embedded-${label}-`));
}

/** A maker of fresh temp directories, all removed after the test file's tests. */
export function tempDirsPerFile(): (label: string) => Promise<string> {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  return async (label) => {
    const d = await tempDir(label);
    dirs.push(d);
    return d;
  };
}

/** Consumes topic with a fresh group until n records arrived (or timeoutMs passed), then stops. */
export async function collect(log: EventLog, topic: string, n: number, timeoutMs = 10_000): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => { done = resolve; });
  const consumer = await log.consume({ group: `collect-${Math.random().toString(36).slice(2)}`, topics: [topic] }, (batch) => {
    records.push(...batch.records);
    if (records.length >= n) done();
    return Promise.resolve();
  });
  const timer = setTimeout(done, timeoutMs);
  if (n === 0) done();
  await enough;
  clearTimeout(timer);
  await consumer.stop();
  return records;
}

/** Decodes every record of a partition straight from its segment files; throws on any bad byte. */
export async function readSegmentFiles(dir: string, topic: string, partition: number): Promise<Array<{ offset: number; key: string; value: Buffer }>> {
  const pdir = path.join(dir, topic, String(partition));
  const out: Array<{ offset: number; key: string; value: Buffer }> = [];
  const view = newFrameView();
  for (const base of segmentBases(await readdir(pdir))) {
    const buf = await readFile(segmentPath(pdir, base));
    let pos = 0;
    while (pos < buf.length) {
      const status = decodeFrame(buf, pos, buf.length, MAX_FRAME_BYTES, view);
      if (status !== FrameStatus.Ok) throw new Error(`bad record in segment ${base} at ${pos} (status ${status})`);
      out.push({ offset: view.offset, key: buf.toString('utf8', view.keyStart, view.keyEnd), value: buf.subarray(view.keyEnd, view.valueEnd) });
      pos = view.frameEnd;
    }
  }
  return out;
}

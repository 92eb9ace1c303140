/**
 * Embedded EventLog throughput beside a raw fs loop doing the same durable work.
 *
 *   node --import tsx load-tests/eventlog.bench.ts [records] [producers]
 *
 * The log run: `producers` concurrent loops, each appending `recordsPerAppend` records of a
 * 200-byte value (key: a session id) and awaiting the ack, with the default policy (fsync always,
 * group commit, 4 partitions). The raw run models the same group commit without the log: rounds of
 * one fs.writeSync per file (4 files, like the partitions) followed by an fsync of every file at
 * once, each batch as many pre-encoded records as the log averaged per partition fsync. Same bytes,
 * same fsync count, same concurrency; no encoding, no offsets, no promises per append.
 */
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openEmbeddedLog } from '../services/core/log/embedded/index.js';
import { encodeFrame } from '../services/core/log/embedded/record-codec.js';

export interface EventLogBenchOptions {
  records?: number;
  producers?: number;
  recordsPerAppend?: number;
  valueBytes?: number;
}

export interface RunFigures {
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  fsyncs: number;
}

export interface EventLogBenchResult {
  records: number;
  valueBytes: number;
  frameBytes: number;
  producers: number;
  recordsPerAppend: number;
  /** Records per partition fsync in the log run; the raw loop uses the same batch. */
  batchRecords: number;
  embedded: RunFigures;
  raw: RunFigures;
  /** embedded records/s divided by raw records/s; target at least 0.5. */
  ratio: number;
}

const PARTITIONS = 4;
const TOPIC = 'bench.v1';

async function runLog(dir: string, o: Required<EventLogBenchOptions>): Promise<RunFigures & { rounds: number }> {
  const log = await openEmbeddedLog({ dir, partitions: PARTITIONS });
  const value = Buffer.alloc(o.valueBytes, 0x61);
  const perProducer = Math.ceil(o.records / o.producers / o.recordsPerAppend);
  await log.append(TOPIC, [{ key: 'warmup', value }]);
  const before = log.stats();
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: o.producers }, async (_, p) => {
    const records = Array.from({ length: o.recordsPerAppend }, () => ({ key: sessionKey(p), value }));
    for (let i = 0; i < perProducer; i++) await log.append(TOPIC, records);
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const after = log.stats();
  await log.close();
  const records = after.records - before.records;
  const bytes = after.bytesWritten - before.bytesWritten;
  return {
    seconds, recordsPerSec: records / seconds, mbPerSec: bytes / seconds / 1e6,
    fsyncs: after.fsyncs - before.fsyncs, rounds: after.rounds - before.rounds,
  };
}

/** Rounds of: writeSync one batch to each file, then fsync all files at once (like a group commit). */
async function runRaw(dir: string, records: number, batchRecords: number, frame: Buffer): Promise<RunFigures> {
  const fds = Array.from({ length: PARTITIONS }, (_, p) => fs.openSync(path.join(dir, `raw-${p}.seg`), 'w'));
  const batch = Buffer.concat(Array.from({ length: batchRecords }, () => frame));
  const rounds = Math.ceil(records / batchRecords / PARTITIONS);
  let position = 0;
  const fsync = (fd: number): Promise<void> =>
    new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const fd of fds) fs.writeSync(fd, batch, 0, batch.length, position);
    position += batch.length;
    await Promise.all(fds.map(fsync));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const fd of fds) fs.closeSync(fd);
  const written = rounds * PARTITIONS * batch.length;
  return {
    seconds, recordsPerSec: (rounds * PARTITIONS * batchRecords) / seconds, mbPerSec: written / seconds / 1e6,
    fsyncs: rounds * PARTITIONS,
  };
}

function sessionKey(p: number): string {
  return `00000000-0000-4000-8000-${String(p).padStart(12, '0')}`;
}

/** Runs both loops once and returns the figures. */
export async function run(options: EventLogBenchOptions = {}): Promise<EventLogBenchResult> {
  const o: Required<EventLogBenchOptions> = {
    records: options.records ?? 100_000,
    producers: options.producers ?? 64,
    recordsPerAppend: options.recordsPerAppend ?? 4,
    valueBytes: options.valueBytes ?? 200,
  };
  const dir = await mkdtemp(path.join(tmpdir(), 'tg-eventlog-bench-'));
  try {
    const embedded = await runLog(path.join(dir, 'log'), o);
    const batchRecords = Math.max(1, Math.round(o.records / Math.max(1, embedded.fsyncs)));
    const frame = encodeFrame(0, Date.now(), sessionKey(0), Buffer.alloc(o.valueBytes, 0x61));
    const raw = await runRaw(dir, o.records, batchRecords, frame);
    return {
      records: o.records, valueBytes: o.valueBytes, frameBytes: frame.length, producers: o.producers,
      recordsPerAppend: o.recordsPerAppend, batchRecords,
      embedded: { seconds: embedded.seconds, recordsPerSec: embedded.recordsPerSec, mbPerSec: embedded.mbPerSec, fsyncs: embedded.fsyncs },
      raw, ratio: embedded.recordsPerSec / raw.recordsPerSec,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function print(r: EventLogBenchResult): void {
  const row = (name: string, f: RunFigures): string =>
    `${name.padEnd(10)} ${f.recordsPerSec.toFixed(0).padStart(10)} rec/s ${f.mbPerSec.toFixed(1).padStart(8)} MB/s ` +
    `${f.fsyncs.toString().padStart(7)} fsyncs ${f.seconds.toFixed(2).padStart(7)} s`;
  console.log(`eventlog: ${r.records} records, ${r.valueBytes}-byte values (${r.frameBytes}-byte frames), ` +
    `${r.producers} producers x ${r.recordsPerAppend} records per append, fsync always (group commit)`);
  console.log(row('embedded', r.embedded));
  console.log(row(`raw x${r.batchRecords}`, r.raw));
  console.log(`ratio embedded/raw: ${r.ratio.toFixed(2)} (target >= 0.5)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [records, producers] = process.argv.slice(2).map(Number);
  run({ ...(records ? { records } : {}), ...(producers ? { producers } : {}) }).then(print, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

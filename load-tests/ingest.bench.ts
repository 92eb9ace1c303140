// Ingest throughput: frames per second through the whole pipeline (embedded log -> decode -> mask ->
// project -> rules -> chDB) beside a raw chDB insert of the same frame rows in the same script (the
// limit: what the store takes when nothing else is done). Run: node --import tsx load-tests/ingest.bench.ts
// [sessions] [batchRecords]; BENCH_STAGES=1 prints wall time per stage. Batches are the ingest role's
// default size (ingest.batchRecords) from one log partition, as `npm start` runs it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ManualClock } from '../services/core/clock.js';
import { ingestSchema } from '../services/core/config/schema-ops.js';
import { openEmbeddedLog } from '../services/core/log/embedded/index.js';
import { Topics } from '../services/core/log/port.js';
import { openStore } from '../services/core/store/open.js';
import { frameRow } from '../ingest/model/stored-frame.js';
import { MaskingPlans } from '../ingest/masking/profiles.js';
import { decodeFrames } from '../ingest/pipeline/decode.js';
import { IngestPipeline } from '../ingest/pipeline/pipeline.js';
import { loadFingerprinter } from '../ingest/projection/fingerprint.js';
import { RuleEngine } from '../ingest/rules/engine.js';
import { loadRules } from '../ingest/rules/load.js';
import { FixtureRecorder } from '../ingest/testing/fixtures.js';
import { TEST_PROFILES } from '../ingest/testing/harness.js';
import { recordWorkload } from '../ingest/testing/workload.js';

export interface IngestBenchFigures {
  frames: number;
  batchRecords: number;
  pipelineFramesPerSec: number;
  rawInsertFramesPerSec: number;
  /** pipeline / raw insert: the share of the store's own insert rate the whole pipeline reaches. */
  ratioToRawInsert: number;
  /** Process CPU (all threads: JS, chDB inserts and merges) per frame, µs: what a loaded machine cannot hide. */
  pipelineCpuMicrosPerFrame: number;
  rawInsertCpuMicrosPerFrame: number;
  alerts: number;
  queries: number;
}

/** Runs the pipeline over `sessions` recorded sessions (about 16.5 frames each), then the raw insert. */
export async function run(sessions = 16_000, batchRecords = ingestSchema.parse({}).batchRecords): Promise<IngestBenchFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-ingest-bench-'));
  await loadFingerprinter();
  // Recorded on a recent weekday at 10:00 UTC: working hours, so the off-hours rule does not fire on
  // every session (alerts are a small share of real traffic), and inside the frames TTL.
  const rec = await FixtureRecorder.create(recentWeekdayMorning());
  recordWorkload(rec, sessions, { queriesPerSession: 3, rowsPerQuery: 6 });
  const total = rec.records.length;
  // One partition: the configured default of the embedded log (eventLog.partitions), as `npm start` runs it.
  const log = await openEmbeddedLog({ dir: join(dir, 'log'), partitions: 1, fsync: 'never', consumer: { maxBatchBytes: 64 * 1024 * 1024 } });
  const store = await openStore({ kind: 'chdb', path: join(dir, 'chdb') });
  try {
    await store.migrate();
    for (let i = 0; i < total; i += 10_000) await log.append(Topics.frames, rec.records.slice(i, i + 10_000));
    const stageTimes = process.env['BENCH_STAGES'] === '1' ? new Map<string, number>() : undefined;
    const pipeline = new IngestPipeline({
      codec: rec.codec,
      store,
      plans: new MaskingPlans({ profiles: TEST_PROFILES }),
      rules: new RuleEngine(loadRules()),
      clock: new ManualClock(Date.now()),
      replayWindow: batchRecords,
      ...(stageTimes === undefined ? {} : { stageTimes }),
    });
    let done = 0;
    let batches = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((r) => (finish = r));
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    // As the ingest role consumes: stage() now, the writes as the batch's tail.
    const consumer = await log.consume({ group: 'bench', topics: [Topics.frames], maxBatchRecords: batchRecords }, async (batch) => {
      const tail = await pipeline.stage(batch);
      return async () => {
        await tail?.();
        done += batch.records.length;
        batches++;
        if (done >= total) finish();
      };
    });
    await finished;
    const pipelineSec = (performance.now() - started) / 1000;
    const pipelineCpu = process.cpuUsage(cpu0);
    if (stageTimes !== undefined) {
      const ms = Object.fromEntries([...stageTimes].map(([k, v]) => [k, Math.round(v)]));
      process.stderr.write(`stages (ms, summed over batches): ${JSON.stringify(ms)}; wall ${Math.round(pipelineSec * 1000)} ms, ${batches} batches\n`);
    }
    await consumer.stop();

    const count = async (sql: string) => Number((await store.query<{ n: string }>(sql))[0]!.n);
    const stored = await count('SELECT count() AS n FROM frames');
    if (stored !== total) throw new Error(`pipeline stored ${stored} frames of ${total}`);
    const alerts = await count('SELECT count() AS n FROM alerts FINAL');
    const queries = await count('SELECT count() AS n FROM queries FINAL');

    // The limit: the same frame rows inserted raw into the same (emptied) table, in batches of the same size.
    await store.command('TRUNCATE TABLE frames');
    const values = rec.records.map((r, i) => ({ topic: Topics.frames, partition: 0, offset: i, key: r.key, value: r.value, timestampMs: 0 }));
    const rows = decodeFrames(rec.codec, values, 0).frames.map(frameRow);
    const rawStart = performance.now();
    const rawCpu0 = process.cpuUsage();
    for (let i = 0; i < rows.length; i += batchRecords) await store.insert('frames', rows.slice(i, i + batchRecords));
    const rawSec = (performance.now() - rawStart) / 1000;
    const rawCpu = process.cpuUsage(rawCpu0);

    const pipelineFramesPerSec = Math.round(total / pipelineSec);
    const rawInsertFramesPerSec = Math.round(total / rawSec);
    return {
      frames: total,
      batchRecords,
      pipelineFramesPerSec,
      rawInsertFramesPerSec,
      ratioToRawInsert: Number((pipelineFramesPerSec / rawInsertFramesPerSec).toFixed(3)),
      pipelineCpuMicrosPerFrame: Number(((pipelineCpu.user + pipelineCpu.system) / total).toFixed(1)),
      rawInsertCpuMicrosPerFrame: Number(((rawCpu.user + rawCpu.system) / total).toFixed(1)),
      alerts,
      queries,
    };
  } finally {
    await log.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function recentWeekdayMorning(): number {
  const d = new Date(Date.now() - 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() - 1);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 10, 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [sessions, batch] = process.argv.slice(2).map(Number);
  process.stdout.write(`${JSON.stringify(await run(sessions || undefined, batch || undefined), null, 2)}\n`);
}

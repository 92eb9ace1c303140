import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { EventCodec } from '../../services/core/events/codec.js';
import { LocalSchemaRegistry } from '../../services/core/events/registry/local.js';
import { openEmbeddedLog } from '../../services/core/log/embedded/index.js';
import { Topics } from '../../services/core/log/port.js';
import { openStore } from '../../services/core/store/open.js';
import { MaskingPlans } from '../masking/profiles.js';
import { loadFingerprinter } from '../projection/fingerprint.js';
import { loadRules } from '../rules/load.js';
import { actualTables, expectedTables, orderFree } from '../testing/expected.js';
import { FixtureRecorder } from '../testing/fixtures.js';
import { TEST_PROFILES } from '../testing/harness.js';
import { recordWorkload } from '../testing/workload.js';

const KILLS = 20;
const dir = await mkdtemp(join(tmpdir(), 'tollgate-ingest-crash-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * Runs the worker; kills it with SIGKILL `killAfterMs` after it started its first batch (or 4 s after
 * it is ready, if no work comes), or waits for it to finish. Keying the kill to the first batch keeps
 * it inside the work however loaded the machine is.
 */
function runWorker(killAfterMs: number | undefined): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../testing/crash-worker.ts'), dir], {
      env: { ...process.env, FINAL: killAfterMs === undefined ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let armed = false;
    let fallback = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (killAfterMs === undefined) return;
      if (!armed && out.includes('batch ')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      } else if (!fallback && out.includes('ready')) {
        fallback = true;
        setTimeout(() => child.kill('SIGKILL'), 4000);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

it(`a worker killed with SIGKILL mid-batch ${KILLS} times in a row leaves exactly the rows of an uninterrupted run`, { timeout: 240_000 }, async () => {
  await loadFingerprinter();
  const codec = await EventCodec.create(await LocalSchemaRegistry.open(join(dir, 'schemas')));
  const rec = await FixtureRecorder.create(Date.now() - 3_600_000, codec);
  recordWorkload(rec, 120, { rowsPerQuery: 3 });
  // Poison: not Avro, and a frame cut short. They must become dead letters, never stop the pipeline.
  const poison = [
    { key: 'w-000001', value: Buffer.from('garbage that is not a frame') },
    { key: 'w-000002', value: rec.records[5]!.value.subarray(0, 9) },
  ];
  const records = [...rec.records.slice(0, 200), ...poison, ...rec.records.slice(200)];
  const log = await openEmbeddedLog({ dir: join(dir, 'log'), partitions: 2, fsync: 'never' });
  await log.append(Topics.frames, records);
  await log.close();

  let killed = 0;
  let busyKills = 0;
  for (let i = 0; i < KILLS; i++) {
    const r = await runWorker(Math.floor(Math.random() * 80));
    if (r.signal === 'SIGKILL') killed++;
    else expect.fail(`worker ${i} exited by itself (${r.code}): ${r.out}`);
    if (r.out.includes('batch ')) busyKills++;
  }
  const final = await runWorker(undefined);
  expect(final.out, final.out).toContain('done');
  expect(killed).toBe(KILLS);
  // The kills must land while there was work: most runs were inside batches when killed.
  expect(busyKills, `runs that started batches: ${busyKills}`).toBeGreaterThanOrEqual(KILLS / 2);

  const rules = orderFree(loadRules());
  const want = expectedTables(codec, records, new MaskingPlans({ profiles: TEST_PROFILES }), rules);
  const store = await openStore({ kind: 'chdb', path: join(dir, 'chdb') });
  try {
    const got = await actualTables(store);
    expect(got.duplicates).toBe(0);
    expect(got.frames).toEqual(want.frames);
    expect(got.dead).toBe(2);
    expect(got.alertIds).toEqual(want.alertIds);
    expect(got.queries).toEqual(want.queries);
    expect(got.commands).toEqual(want.commands);
    expect(got.sessions).toEqual(want.sessions);
    expect(want.alertIds.length).toBeGreaterThan(0);
  } finally {
    await store.close();
  }
});

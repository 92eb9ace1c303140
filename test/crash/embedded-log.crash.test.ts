import { spawn } from 'node:child_process';
import { appendFile, readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../../services/core/errors.js';
import { openEmbeddedLog } from '../../services/core/log/embedded/index.js';
import { encodeFrame } from '../../services/core/log/embedded/record-codec.js';
import { readSegmentFiles, tempDir } from '../../services/core/log/embedded/testing-log.js';
import { seededRandom } from '../../services/core/seeded-random.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const writer = path.join(here, 'embedded-log-writer.ts');
const ITERATIONS = 20;
const CRASH_TOPIC = 'crash.v1';
const CRASH_SEGMENT_BYTES = 128 * 1024;
const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);

interface RunResult { acked: Map<string, number>; ackLines: number }

/** Starts the writer, kills it with SIGKILL delayMs after it is ready, returns what it acknowledged. */
function runAndKill(dir: string, runId: string, delayMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, CRASH_TOPIC, String(CRASH_SEGMENT_BYTES), runId], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.startsWith('ready\n')) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    // 'close' comes after the child was reaped and its pipes drained: every acked line is in `out`.
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited by itself (code ${code}): ${err}`));
      const acked = new Map<string, number>();
      let ackLines = 0;
      for (const line of out.split('\n')) {
        const m = /^ack (\S+) (\d+)$/.exec(line);
        if (!m) continue;
        ackLines++;
        const seq = Number(m[2]);
        const key = m[1] as string;
        if ((acked.get(key) ?? -1) >= seq) return reject(new Error(`ack for ${key} went backwards at ${seq}`));
        acked.set(key, seq);
      }
      resolve({ acked, ackLines });
    });
  });
}

/** Appends a partial frame or garbage to one partition's last segment: what a torn write leaves. */
async function tearTail(dir: string, random: () => number): Promise<void> {
  const withData: Array<{ pdir: string; last: string }> = [];
  for (let p = 0; p < 4; p++) {
    const pdir = path.join(dir, CRASH_TOPIC, String(p));
    const segs = (await readdir(pdir).catch(() => [] as string[])).filter((n) => n.endsWith('.seg')).sort();
    const last = segs[segs.length - 1];
    if (last !== undefined) withData.push({ pdir, last });
  }
  const target = withData[Math.floor(random() * withData.length)];
  if (target === undefined) throw new Error('no segment to tear: the writer wrote nothing');
  const { pdir, last } = target;
  const frame = encodeFrame(Number.MAX_SAFE_INTEGER - 1, Date.now(), 'torn', Buffer.alloc(200, 0x74));
  const junk = random() < 0.5
    ? frame.subarray(0, 1 + Math.floor(random() * (frame.length - 1)))
    : Buffer.from(Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
  await appendFile(path.join(pdir, last), junk);
}

describe('embedded log directory lock across processes', () => {
  it('refuses to open a directory a live writer process holds, and takes it over once the writer is dead', async () => {
    const dir = await tempDir('lock');
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, CRASH_TOPIC, String(CRASH_SEGMENT_BYTES), 'lock'],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.resume();
      await expect(openEmbeddedLog({ dir })).rejects.toSatisfy((err: unknown) =>
        isTollgateError(err, 'TG_ERR_LOG_LOCKED') && (err as Error).message.includes(String(child.pid)));
      child.kill('SIGKILL');
      await closed;
      const log = await openEmbeddedLog({ dir });
      await log.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('embedded log survives SIGKILL', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  it(`keeps every acknowledged record exactly once, in order, over ${ITERATIONS} kills (seed ${seed})`, async () => {
    console.info(`[crash test] seed ${seed}; rerun with CRASH_SEED=${seed}`);
    const random = seededRandom(seed);
    const dir = await tempDir('crash');
    dirs.push(dir);
    const allAcked = new Map<string, number>();
    let totalAcks = 0;
    let tornRuns = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const delay = 50 + Math.floor(random() * 350);
      const { acked, ackLines } = await runAndKill(dir, `r${i}`, delay);
      totalAcks += ackLines;
      for (const [k, s] of acked) allAcked.set(k, s);
      const tear = i % 2 === 1;
      if (tear) await tearTail(dir, random);

      const log = await openEmbeddedLog({ dir, segmentBytes: CRASH_SEGMENT_BYTES });
      const torn = log.recovery.reduce((n, r) => n + r.tornBytes, 0);
      if (tear) {
        expect(torn, `iteration ${i}: recovery cut the torn tail`).toBeGreaterThan(0);
        tornRuns++;
      }
      // Recovery ran: every byte left in every segment is a whole, checksummed record.
      const byKey = new Map<string, number[]>();
      for (let p = 0; p < 4; p++) {
        const records = await readSegmentFiles(dir, CRASH_TOPIC, p).catch((e: unknown) => {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
          throw e;
        });
        records.forEach((r, idx) => expect(r.offset, `partition ${p} offsets are dense`).toBe((records[0]?.offset ?? 0) + idx));
        for (const r of records) {
          const [key, seq] = r.value.toString().split(':');
          expect(key).toBe(r.key);
          (byKey.get(r.key) ?? byKey.set(r.key, []).get(r.key))?.push(Number(seq));
        }
      }
      for (const [key, maxAcked] of allAcked) {
        const seqs = byKey.get(key) ?? [];
        // In order, exactly once, no gaps, and at least everything acknowledged.
        expect(seqs, `iteration ${i}: ${key}`).toEqual([...Array(seqs.length).keys()]);
        expect(seqs.length, `iteration ${i}: ${key} lost acknowledged records`).toBeGreaterThan(maxAcked);
      }
      // Appending after recovery works and lands after what survived.
      await log.append(CRASH_TOPIC, [{ key: `after-${i}`, value: Buffer.from(`after-${i}:0:`) }]);
      await log.close();
    }
    console.info(`[crash test] ${totalAcks} acknowledged appends over ${ITERATIONS} kills; ${tornRuns} torn tails cut`);
    expect(totalAcks, 'the writer acknowledged something before being killed').toBeGreaterThan(ITERATIONS);
    expect(tornRuns).toBe(ITERATIONS / 2);
  }, 120_000);
});

import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../services/core/log/embedded/record-codec.js';
import { DiskSpool } from '../../services/core/recording/disk-spool.js';
import { seededRandom } from '../../services/core/seeded-random.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const writer = path.join(here, 'disk-spool-writer.ts');
const ITERATIONS = 8;
const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);

interface Run { acked: Map<string, number>; delivered: Map<string, number[]> }

function runAndKill(dir: string, runId: string, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, runId], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let armed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!armed && out.startsWith('ready\n')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`spool writer exited by itself (code ${code}): ${err}`));
      const acked = new Map<string, number>();
      const delivered = new Map<string, number[]>();
      for (const line of out.split('\n')) {
        const m = /^(ack|dlv) (\S+) (\d+)$/.exec(line);
        if (!m) continue;
        const key = m[2] as string;
        const seq = Number(m[3]);
        if (m[1] === 'ack') acked.set(key, seq);
        else (delivered.get(key) ?? delivered.set(key, []).get(key))?.push(seq);
      }
      resolve({ acked, delivered });
    });
  });
}

describe('disk spool survives SIGKILL', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  it(`every acknowledged record is delivered, in order, at least once, over ${ITERATIONS} kills (seed ${seed})`, async () => {
    console.info(`[spool crash test] seed ${seed}; rerun with CRASH_SEED=${seed}`);
    const random = seededRandom(seed);
    const dir = await mkdtemp(path.join(tmpdir(), 'tg-spool-crash-'));
    dirs.push(dir);
    let acks = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const { acked, delivered } = await runAndKill(dir, `r${i}`, 40 + Math.floor(random() * 250));
      if (i % 2 === 1) {
        // What a torn write leaves: part of a frame, or garbage.
        const frame = encodeFrame(0, Date.now(), 'torn', Buffer.alloc(300, 0x74));
        await appendFile(path.join(dir, 'spool.seg'), frame.subarray(0, 1 + Math.floor(random() * (frame.length - 1))));
      }
      const spool = await DiskSpool.open({ dir, maxBytes: 256 * 1024 * 1024 });
      const after = new Map<string, number[]>();
      await spool.drain((batch) => {
        for (const r of batch) (after.get(r.key) ?? after.set(r.key, []).get(r.key))?.push(Number(r.value.toString().split(':')[1]));
        return Promise.resolve();
      });
      await spool.close();
      for (const [key, maxAcked] of acked) {
        acks += maxAcked + 1;
        const before = delivered.get(key) ?? [];
        const rest = after.get(key) ?? [];
        // Delivered before the kill: in order from 0. After: a contiguous run that may repeat the
        // last batch delivered before the kill (at least once), never skipping one.
        expect(before, `${key} before the kill`).toEqual([...before.keys()]);
        const from = rest[0] ?? before.length;
        expect(from, `${key}: redelivery starts no later than the first undelivered record`).toBeLessThanOrEqual(before.length);
        expect(rest, `${key} after the kill`).toEqual(rest.map((_, j) => from + j));
        const last = Math.max(before.length - 1, rest.at(-1) ?? -1);
        expect(last, `${key} lost acknowledged records`).toBeGreaterThanOrEqual(maxAcked);
      }
    }
    console.info(`[spool crash test] ${acks} acknowledged records over ${ITERATIONS} kills`);
    expect(acks).toBeGreaterThan(ITERATIONS);
  }, 120_000);
});

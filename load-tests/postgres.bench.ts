/**
 * The PostgreSQL gateway beside PgBouncer and a direct connection, with pgbench's select-only script
 * (`pgbench -n -S`) against one real PostgreSQL:
 *
 *   direct     pgbench → PostgreSQL (scram-sha-256)
 *   pgbouncer  pgbench → PgBouncer, session pooling, scram-sha-256 from its userlist → PostgreSQL
 *   tollgate   pgbench → `tollgate gateway` (child process): dev token as password, every frame
 *              recorded to the embedded log with the configuration defaults (fsync always, one
 *              partition, 5 ms linger), read-only guardrails, a masking profile; nothing tuned
 *
 * Each path runs in simple and extended protocol (-M), interleaved over rounds in rotating order so
 * machine drift hits every path alike. Then a single-connection latency run per path, and a profile
 * of the gateway under `node --cpu-prof` during a separate pgbench run (top self-time functions).
 *
 * Run: node --import tsx load-tests/postgres.bench.ts
 * Knobs (env): BENCH_PG_SECONDS (20), BENCH_PG_ROUNDS (2), BENCH_PG_SCALE (10), BENCH_PG_CLIENTS (8),
 * BENCH_PG_PROFILE_SECONDS (10; 0 skips the profile), BENCH_PG_SINGLE_TX (1000),
 * BENCH_PG_VARIANTS=1 adds one round of gateway variants (fsync never; no guardrails or masking) to
 * show what each feature costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startPostgresServer } from '../services/demo/postgres-server.js';
import { printFigures } from './support/bench-report.js';
import { summariseCpuProfile, type ProfileSummary } from './support/cpu-profile.js';
import { startPgBouncer } from './support/pgbouncer.js';
import { initPgbench, runPgbench, type PgbenchResult, type PgbenchRun, type PgTarget } from './support/pgbench.js';
import { cpuMicros, freePort } from './support/processes.js';
import { cpuProfiles, mintToken, startGatewayProcess, type GatewayProcess, type GatewaySetup } from './support/tollgate-gateway.js';

export type PathName = 'direct' | 'pgbouncer' | 'tollgate';
export type Mode = PgbenchRun['mode'];

/** One pgbench run, plus the CPU the proxy in the path used per transaction (null for direct). */
export interface MeasuredRun extends PgbenchResult {
  proxyCpuUsPerTx: number | null;
}

export interface PathFigure {
  path: PathName;
  mode: Mode;
  /** Means over the rounds. */
  tps: number;
  p50Ms: number;
  p99Ms: number;
  proxyCpuUsPerTx: number | null;
  failed: number;
  rounds: MeasuredRun[];
}

export interface PostgresBenchFigures {
  settings: { scale: number; clients: number; threads: number; seconds: number; rounds: number; singleTransactions: number };
  tollgate: { available: boolean; reason: string | null };
  throughput: PathFigure[];
  /** tollgate TPS / peer TPS per mode (null when tollgate did not run). */
  ratios: Record<Mode, { tollgateToPgbouncer: number | null; tollgateToDirect: number | null; pgbouncerToDirect: number }>;
  /** One client, one thread, a fixed number of transactions: the added latency per round trip. */
  singleConnection: PathFigure[];
  profile: (ProfileSummary & { tps: Record<Mode, number> }) | null;
  /** Gateway variants (BENCH_PG_VARIANTS=1), one round each; empty otherwise. */
  variants: Array<{ variant: string } & Omit<PathFigure, 'path'>>;
}

/** What each variant changes in the gateway's setup, to price recording, guardrails and masking. */
const VARIANTS: Record<string, Partial<GatewaySetup>> = {
  'fsync-never': { fsync: 'never' },
  'fsync-never-no-guardrails': { fsync: 'never', guardrails: false },
  'fsync-never-no-guardrails-no-masking': { fsync: 'never', guardrails: false, masking: false },
};

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATABASE = 'bench';
const USER = 'bench';
const PASSWORD = 'bench-upstream-secret';

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && process.env[name] !== '' && process.env[name] !== undefined ? v : fallback;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1000) / 1000;
}

function figure(path: PathName, mode: Mode, rounds: MeasuredRun[]): PathFigure {
  const cpu = rounds.map((r) => r.proxyCpuUsPerTx).filter((c): c is number => c !== null);
  return {
    path, mode, rounds,
    tps: mean(rounds.map((r) => r.tps)),
    p50Ms: mean(rounds.map((r) => r.p50Ms)),
    p99Ms: mean(rounds.map((r) => r.p99Ms)),
    proxyCpuUsPerTx: cpu.length === 0 ? null : Math.round(mean(cpu)),
    failed: rounds.reduce((a, r) => a + r.failed, 0),
  };
}

/** Path order for a round: rotated each round and reversed every other one. */
function orderFor(round: number, paths: readonly PathName[]): PathName[] {
  const rotated = paths.map((_, i) => paths[(i + round) % paths.length] as PathName);
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

/** Runs pgbench and reads the proxy's CPU time (all threads, from /proc) before and after. */
async function measured(target: PgTarget, proxyPid: number | undefined, spec: PgbenchRun): Promise<MeasuredRun> {
  const before = cpuMicros(proxyPid);
  const result = await runPgbench(target, spec);
  const after = cpuMicros(proxyPid);
  const cpu = before === undefined || after === undefined || result.transactions === 0 ? null : (after - before) / result.transactions;
  return { ...result, proxyCpuUsPerTx: cpu === null ? null : Math.round(cpu * 10) / 10 };
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? null : Math.round((a / b) * 1000) / 1000;

/** Runs the whole comparison and returns the figures (also printed to stderr). */
export async function run(): Promise<PostgresBenchFigures> {
  const settings = {
    scale: envNumber('BENCH_PG_SCALE', 10),
    clients: envNumber('BENCH_PG_CLIENTS', 8),
    threads: 2,
    seconds: envNumber('BENCH_PG_SECONDS', 20),
    rounds: envNumber('BENCH_PG_ROUNDS', 2),
    singleTransactions: envNumber('BENCH_PG_SINGLE_TX', 1000),
  };
  const profileSeconds = envNumber('BENCH_PG_PROFILE_SECONDS', 10);
  const work = mkdtempSync(join(tmpdir(), 'tollgate-pgbench-'));
  const pg = await startPostgresServer({ port: await freePort() });
  const cleanups: Array<() => Promise<void>> = [() => pg.stop()];
  try {
    pg.psql(`CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD}'`);
    pg.psql(`CREATE DATABASE ${DATABASE} OWNER ${USER}`);
    const direct: PgTarget = { port: pg.port, database: DATABASE, user: USER, password: PASSWORD };
    process.stderr.write(`initialising pgbench data, scale ${settings.scale}\n`);
    await initPgbench(direct, settings.scale);

    const bouncer = await startPgBouncer({ port: await freePort(), upstreamPort: pg.port, database: DATABASE, user: USER, password: PASSWORD, poolSize: settings.clients + 2 });
    cleanups.push(() => bouncer.stop());
    const gatewaySetup = (dir: string, port: number): GatewaySetup =>
      ({ dataDir: join(work, dir), port, upstreamPort: pg.port, database: DATABASE, upstreamUser: USER, upstreamPassword: PASSWORD });
    const setup = gatewaySetup('gateway', await freePort());
    const token = await mintToken(setup.dataDir, 'pgbench');
    const started = await startGatewayProcess(setup);
    let gateway: GatewayProcess | undefined;
    if (started.ok) {
      gateway = started.gateway;
      cleanups.push(() => started.gateway.stop());
    } else {
      process.stderr.write(`tollgate not available: ${started.reason}\n`);
    }

    const targets: Partial<Record<PathName, PgTarget>> = {
      direct,
      pgbouncer: { ...direct, port: bouncer.port },
      ...(gateway === undefined ? {} : { tollgate: { port: gateway.port, database: DATABASE, user: 'pgbench', password: token } }),
    };
    const pids: Partial<Record<PathName, number | undefined>> = { pgbouncer: bouncer.pid, tollgate: gateway?.pid };
    const paths = (['direct', 'pgbouncer', 'tollgate'] as const).filter((p) => targets[p] !== undefined);
    const modes: Mode[] = ['simple', 'extended'];
    const runs = new Map<string, MeasuredRun[]>();
    for (let round = 0; round < settings.rounds; round++) {
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        for (const path of orderFor(round, paths)) {
          const result = await measured(targets[path] as PgTarget, pids[path], { mode, clients: settings.clients, threads: settings.threads, seconds: settings.seconds });
          const cpu = result.proxyCpuUsPerTx === null ? '' : `  proxy CPU ${result.proxyCpuUsPerTx} µs/tx`;
          process.stderr.write(`round ${round + 1} ${mode.padEnd(8)} ${path.padEnd(9)} ${result.tps.toFixed(0)} tps  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  failed ${result.failed}${cpu}\n`);
          const key = `${path}/${mode}`;
          runs.set(key, [...(runs.get(key) ?? []), result]);
        }
      }
    }
    const throughput = modes.flatMap((mode) => paths.map((path) => figure(path, mode, runs.get(`${path}/${mode}`) ?? [])));

    const singleConnection: PathFigure[] = [];
    for (const mode of modes) {
      for (const path of paths) {
        const r = await measured(targets[path] as PgTarget, pids[path], { mode, clients: 1, threads: 1, transactionsPerClient: settings.singleTransactions });
        singleConnection.push(figure(path, mode, [r]));
      }
    }

    const tpsOf = (path: PathName, mode: Mode) => throughput.find((f) => f.path === path && f.mode === mode)?.tps;
    const ratios = Object.fromEntries(modes.map((mode) => [mode, {
      tollgateToPgbouncer: ratio(tpsOf('tollgate', mode), tpsOf('pgbouncer', mode)),
      tollgateToDirect: ratio(tpsOf('tollgate', mode), tpsOf('direct', mode)),
      pgbouncerToDirect: ratio(tpsOf('pgbouncer', mode), tpsOf('direct', mode)) ?? 0,
    }])) as PostgresBenchFigures['ratios'];

    // The measured gateway stops first: the profiled one then has both cores' share to itself as before.
    if (gateway !== undefined) await gateway.stop();
    const variants: PostgresBenchFigures['variants'] = [];
    if (gateway !== undefined && process.env['BENCH_PG_VARIANTS'] === '1') {
      for (const [name, change] of Object.entries(VARIANTS)) {
        variants.push(...await measureVariant(name, { ...gatewaySetup(name, await freePort()), ...change }, settings));
      }
    }
    let profile: PostgresBenchFigures['profile'] = null;
    if (gateway !== undefined && profileSeconds > 0) {
      profile = await profileGateway(gatewaySetup('profiled', await freePort()), work, { ...settings, seconds: profileSeconds });
    }

    const figures: PostgresBenchFigures = {
      settings,
      tollgate: { available: gateway !== undefined, reason: started.ok ? null : started.reason },
      throughput, ratios, singleConnection, profile, variants,
    };
    printFigures(figures);
    return figures;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/** One round of simple and extended runs through a gateway started with a changed setup. */
async function measureVariant(name: string, setup: GatewaySetup, s: { clients: number; threads: number; seconds: number }): Promise<PostgresBenchFigures['variants']> {
  const token = await mintToken(setup.dataDir, 'pgbench-variant');
  const started = await startGatewayProcess(setup);
  if (!started.ok) {
    process.stderr.write(`variant ${name} did not start: ${started.reason}\n`);
    return [];
  }
  try {
    const target: PgTarget = { port: setup.port, database: DATABASE, user: 'pgbench', password: token };
    const out: PostgresBenchFigures['variants'] = [];
    for (const mode of ['simple', 'extended'] as const) {
      const r = await measured(target, started.gateway.pid, { mode, clients: s.clients, threads: s.threads, seconds: s.seconds });
      const { path: _path, ...rest } = figure('tollgate', mode, [r]);
      out.push({ variant: name, ...rest });
    }
    return out;
  } finally {
    await started.gateway.stop();
  }
}

/** A fresh gateway under --cpu-prof; self time is summed over the pgbench window only. */
async function profileGateway(setup: GatewaySetup, work: string, s: { clients: number; threads: number; seconds: number }): Promise<PostgresBenchFigures['profile']> {
  const dir = join(work, 'cpu-profile');
  const token = await mintToken(setup.dataDir, 'pgbench-profile');
  const started = await startGatewayProcess(setup, { cpuProfileDir: dir });
  if (!started.ok) {
    process.stderr.write(`profiled gateway did not start: ${started.reason}\n`);
    return null;
  }
  const target: PgTarget = { port: setup.port, database: DATABASE, user: 'pgbench', password: token };
  const startUs = Number(process.hrtime.bigint() / 1000n);
  const simple = await runPgbench(target, { mode: 'simple', clients: s.clients, threads: s.threads, seconds: s.seconds });
  const extended = await runPgbench(target, { mode: 'extended', clients: s.clients, threads: s.threads, seconds: s.seconds });
  const endUs = Number(process.hrtime.bigint() / 1000n);
  await started.gateway.stop();
  const file = cpuProfiles(dir)[0];
  if (file === undefined) {
    process.stderr.write(`the profiled gateway wrote no .cpuprofile: ${started.gateway.output()}\n`);
    return null;
  }
  return { ...summariseCpuProfile(file, repoRoot, { startUs, endUs }), tps: { simple: simple.tps, extended: extended.tps } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await run();
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

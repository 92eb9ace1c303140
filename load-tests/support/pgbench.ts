import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TollgateError } from '../../services/core/errors.js';

const run = promisify(execFile);

/** Where pgbench connects, as whom; password is what PGPASSWORD carries (a token for tollgate). */
export interface PgTarget {
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface PgbenchRun {
  /** pgbench -M: simple sends Query, extended sends Parse/Bind/Execute/Sync per statement. */
  mode: 'simple' | 'extended';
  clients: number;
  threads: number;
  /** Run for this long (-T), or this many transactions per client (-t); one of the two. */
  seconds?: number;
  transactionsPerClient?: number;
  /** pgbench's built-in script: select-only (-S, the default here) or tpcb-like (writes). */
  script?: 'select-only' | 'tpcb-like';
}

export interface PgbenchResult {
  mode: 'simple' | 'extended';
  clients: number;
  transactions: number;
  failed: number;
  /** pgbench's own figure, without the initial connection time. */
  tps: number;
  /** Per-transaction latency percentiles from pgbench's --log, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

function env(target: PgTarget): NodeJS.ProcessEnv {
  // SSL and GSS negotiation disabled on every path alike: one fewer round trip, no TLS cost anywhere.
  return { ...process.env, PGPASSWORD: target.password, PGSSLMODE: 'disable', PGGSSENCMODE: 'disable', PGCONNECT_TIMEOUT: '10' };
}

function connArgs(target: PgTarget): string[] {
  return ['-h', '127.0.0.1', '-p', String(target.port), '-U', target.user];
}

/** `pgbench -i`: creates and fills the pgbench tables at the given scale (100 000 accounts per unit). */
export async function initPgbench(target: PgTarget, scale: number): Promise<void> {
  try {
    await run('pgbench', ['-i', '-q', '-s', String(scale), ...connArgs(target), target.database], { env: env(target), maxBuffer: 1 << 24 });
  } catch (err) {
    throw new TollgateError('TG_ERR_UPSTREAM', `pgbench -i failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
  }
}

/** Runs a built-in script (select-only unless told; no vacuum) and reads TPS and latencies. */
export async function runPgbench(target: PgTarget, spec: PgbenchRun): Promise<PgbenchResult> {
  const logDir = mkdtempSync(join(tmpdir(), 'tollgate-pgbench-'));
  const length = spec.seconds !== undefined ? ['-T', String(spec.seconds)] : ['-t', String(spec.transactionsPerClient ?? 100)];
  const args = [
    '-n', '-b', spec.script ?? 'select-only', '-M', spec.mode, '-c', String(spec.clients), '-j', String(spec.threads), ...length,
    '-l', `--log-prefix=${join(logDir, 'tx')}`, ...connArgs(target), target.database,
  ];
  try {
    let stdout: string;
    try {
      ({ stdout } = await run('pgbench', args, { env: env(target), maxBuffer: 1 << 24 }));
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new TollgateError('TG_ERR_UPSTREAM', `pgbench against port ${target.port} failed: ${e.stderr ?? ''}${e.stdout ?? ''}`.trim(), { cause: err });
    }
    const latencies = readLatencies(logDir);
    return {
      mode: spec.mode,
      clients: spec.clients,
      transactions: summaryNumber(stdout, /number of transactions actually processed: (\d+)/),
      failed: summaryNumber(stdout, /number of failed transactions: (\d+)/, 0),
      tps: summaryNumber(stdout, /tps = ([\d.]+) \(without initial connection time\)/),
      ...percentiles(latencies),
    };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

function summaryNumber(stdout: string, pattern: RegExp, fallback?: number): number {
  const m = pattern.exec(stdout);
  if (m?.[1] !== undefined) return Number(m[1]);
  if (fallback !== undefined) return fallback;
  throw new TollgateError('TG_ERR_UPSTREAM', `pgbench output lacks ${pattern.source}: ${stdout}`);
}

/**
 * Per-transaction log lines: `client_id transaction_no time script_no time_epoch time_us [...]`,
 * time in µs; a failed transaction has a word there instead ("failed", "serialization").
 */
export function parseTransactionLog(text: string, into: number[]): void {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const a = text.indexOf(' ', start);
    const b = a < 0 ? -1 : text.indexOf(' ', a + 1);
    const c = b < 0 ? -1 : text.indexOf(' ', b + 1);
    if (c > 0 && c < end) {
      const us = Number(text.slice(b + 1, c));
      if (Number.isFinite(us)) into.push(us);
    }
    start = end + 1;
  }
}

function readLatencies(dir: string): Float64Array {
  const all: number[] = [];
  for (const f of readdirSync(dir)) parseTransactionLog(readFileSync(join(dir, f), 'latin1'), all);
  return Float64Array.from(all).sort();
}

/** p50, p99 and mean of sorted µs latencies, in ms (zeros when there are none). */
export function percentiles(sortedUs: Float64Array): { p50Ms: number; p99Ms: number; meanMs: number } {
  if (sortedUs.length === 0) return { p50Ms: 0, p99Ms: 0, meanMs: 0 };
  const at = (q: number) => sortedUs[Math.min(sortedUs.length - 1, Math.floor(q * sortedUs.length))] ?? 0;
  let sum = 0;
  for (const v of sortedUs) sum += v;
  const ms = (us: number) => Math.round(us) / 1000;
  return { p50Ms: ms(at(0.5)), p99Ms: ms(at(0.99)), meanMs: ms(sum / sortedUs.length) };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../services/core/clock.js';
import { DevIssuer } from '../../services/core/identity/dev-issuer.js';
import { canConnect, stopChild } from './processes.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PASSWORD_ENV = 'TOLLGATE_BENCH_UPSTREAM_PASSWORD';
/** The group the benchmark's role matches; tokens minted by mintToken carry it. */
const GROUP = 'pgbench';

export interface GatewaySetup {
  /** Holds the config, dev issuer key, embedded log and schemas. */
  dataDir: string;
  port: number;
  upstreamPort: number;
  /** The connection name: pgbench's dbname, and the upstream database of the same name. */
  database: string;
  upstreamUser: string;
  upstreamPassword: string;
  /** Embedded log fsync policy; default: the config default (always). */
  fsync?: 'always' | 'interval' | 'never';
  /** Grant the read-only guardrail profile (default true); false measures the gateway without it. */
  guardrails?: boolean;
  /** Grant the masking profile (default true). */
  masking?: boolean;
}

/**
 * Writes a gateway-only configuration: the benchmark's connection recorded strictly to an embedded
 * log, granted with the read-only guardrail profile and a masking profile (a column rule on
 * pgbench_accounts.filler plus the email and card detectors on every value); each can be switched off.
 */
export function writeGatewayConfig(setup: GatewaySetup): string {
  mkdirSync(setup.dataDir, { recursive: true });
  const config = {
    dataDir: setup.dataDir,
    node: { name: 'bench-node' },
    log: { level: 'warn' },
    listeners: {
      postgres: { host: '127.0.0.1', port: setup.port },
      ssh: { enabled: false },
      replay: { enabled: false },
    },
    eventLog: { kind: 'embedded', ...(setup.fsync === undefined ? {} : { fsync: setup.fsync }) },
    identity: { devIssuer: { enabled: true } },
    connections: {
      [setup.database]: {
        protocol: 'postgres', host: '127.0.0.1', port: setup.upstreamPort, database: setup.database,
        upstream: { user: setup.upstreamUser, password: { env: PASSWORD_ENV }, tls: { mode: 'disable' } },
      },
    },
    roles: {
      bench: {
        match: { issuer: 'tollgate-dev', groups: [GROUP] },
        grants: [{
          connections: [setup.database],
          guardrails: setup.guardrails === false ? [] : ['read-only'],
          masking: setup.masking === false ? [] : ['bench-pii'],
        }],
      },
    },
    masking: {
      'bench-pii': { columns: [{ column: 'pgbench_accounts.filler', action: 'redact' }], detectors: ['email', 'card'] },
    },
  };
  const path = join(setup.dataDir, 'tollgate.json');
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** A dev-issuer token the benchmark's role accepts (the key lands where the gateway reads it). */
export async function mintToken(dataDir: string, subject: string, ttlMs = 2 * 3600_000): Promise<string> {
  const issuer = await DevIssuer.open({ dir: join(dataDir, 'dev-issuer'), clock: systemClock, audience: 'tollgate' });
  return issuer.mint({ subject, groups: [GROUP], ttlMs });
}

export interface GatewayProcess {
  port: number;
  /** The gateway's Node process. */
  pid: number | undefined;
  /** Folder of the .cpuprofile written at exit, when started with cpuProfile. */
  cpuProfileDir: string | undefined;
  /** Stops with SIGTERM (sessions end, frames flush) and waits for the exit. */
  stop(): Promise<void>;
  /** The last few KiB of the process's stderr. */
  output(): string;
}

/** Outcome of starting: a listening gateway, or why there is none (no postgres starter yet). */
export type GatewayStart = { ok: true; gateway: GatewayProcess } | { ok: false; reason: string };

/**
 * Runs `tollgate gateway --config <file>` as a child Node process (so it has its own event loop
 * and core, like PgBouncer), optionally under `--cpu-prof`.
 */
export async function startGatewayProcess(setup: GatewaySetup, options: { cpuProfileDir?: string } = {}): Promise<GatewayStart> {
  const configPath = writeGatewayConfig(setup);
  const prof = options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
  const child: ChildProcess = spawn(process.execPath, [...prof, '--import', 'tsx', 'services/cli/main.ts', 'gateway', '--config', configPath], {
    cwd: repoRoot,
    env: { ...process.env, [PASSWORD_ENV]: setup.upstreamPassword, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const gateway: GatewayProcess = {
    port: setup.port,
    pid: child.pid,
    cpuProfileDir: options.cpuProfileDir,
    stop: () => stopChild(child, 'SIGTERM', 20_000),
    output: () => stderr,
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return { ok: false, reason: `tollgate gateway exited during start-up (${child.exitCode ?? child.signalCode}): ${stderr.trim()}` };
    }
    if (await canConnect(setup.port)) return { ok: true, gateway };
    // The banner is printed once every role has started: no listener by then means no postgres starter.
    if (stderr.includes('running as node') && !stderr.includes('postgres gateway on')) {
      await gateway.stop();
      return { ok: false, reason: 'the gateway role started no PostgreSQL listener (no postgres starter registered in services/runtime/roles.ts)' };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await gateway.stop();
  return { ok: false, reason: `tollgate gateway did not listen on ${setup.port} within 60 s: ${stderr.trim()}` };
}

/** The .cpuprofile files a profiled gateway wrote (normally one). */
export function cpuProfiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
}

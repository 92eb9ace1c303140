/**
 * SSH gateway: bulk throughput and interactive round-trip latency, OpenSSH client to a real sshd,
 * along three paths in one script:
 *
 *   direct     ssh → sshd
 *   proxyjump  ssh -J bastion → sshd (OpenSSH's own jump host: a second sshd forwarding the stream)
 *   tollgate   ssh → tollgate (token login, pinned upstream, every byte recorded to the embedded log) → sshd
 *
 * Throughput: BENCH_SSH_MB (default 256) MiB of zeros piped into `cat > /dev/null` on the host via
 * exec; latency: BENCH_SSH_ROUNDS (default 200) one-line echo round trips through an exec `cat`.
 * Paths are interleaved over BENCH_SSH_ROUNDS_OUTER rounds (default 2); figures are the best round
 * (least disturbed by other load), ratios are against proxyjump and direct.
 *
 * Run: node --import tsx load-tests/ssh.bench.ts   (BENCH_SSH_PATHS=tollgate for one path only)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sequentialIds, systemClock } from '../services/core/clock.js';
import { parseConfig } from '../services/core/config/index.js';
import { EventCodec } from '../services/core/events/codec.js';
import { LocalSchemaRegistry } from '../services/core/events/registry/local.js';
import { createIdentityVerifier, DevIssuer } from '../services/core/identity/index.js';
import { createLogger } from '../services/core/logger.js';
import { openEmbeddedLog } from '../services/core/log/embedded/index.js';
import { Topics } from '../services/core/log/port.js';
import { compilePolicy } from '../services/core/policy/index.js';
import { RecordingSink } from '../services/core/recording/sink.js';
import { loadOrCreateHostKey } from '../services/gateway/ssh/host-key.js';
import { SshGateway } from '../services/gateway/ssh/server.js';
import { sshdAvailable, startSshd, type Sshd } from '../services/gateway/ssh/testing/sshd.js';

type PathName = 'direct' | 'proxyjump' | 'tollgate';
const PATHS: readonly PathName[] = ['direct', 'proxyjump', 'tollgate'];

export interface SshPathFigure {
  path: PathName;
  mbPerSecond: number;
  /** Wall time of the bulk transfer, handshake included. */
  bulkSeconds: number;
  rttP50Ms: number;
  rttP99Ms: number;
  rttMeanMs: number;
}

export interface SshBenchFigures {
  available: boolean;
  reason: string | null;
  settings: { megabytes: number; roundTrips: number; rounds: number };
  paths: SshPathFigure[];
  ratios: { throughputTollgateToProxyjump: number; throughputTollgateToDirect: number; throughputProxyjumpToDirect: number; rttP50TollgateToProxyjump: number; rttP50TollgateToDirect: number };
  recordedBytes: number;
}

/** Spawns ssh with the bench's config file and resolves with the wall time once it exits 0. */
function sshRun(config: string, host: string, command: string, env: NodeJS.ProcessEnv, stdinFrom?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const shell = stdinFrom === undefined ? `exec ssh -F ${config} ${host} '${command}'` : `${stdinFrom} | ssh -F ${config} ${host} '${command}'`;
    const child = spawn('sh', ['-c', shell], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - started) / 1e9) : reject(new Error(`ssh ${host} exited ${code}: ${err}`))));
  });
}

/** One-line echo round trips through `cat` on the host; returns each RTT in ms. */
function roundTrips(config: string, host: string, env: NodeJS.ProcessEnv, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-F', config, host, 'cat'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const rtts: number[] = [];
    let sent = 0n;
    let buf = '';
    let err = '';
    const send = () => {
      sent = process.hrtime.bigint();
      child.stdin.write(`ping ${rtts.length}\n`);
    };
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      if (!buf.endsWith('\n')) return;
      buf = '';
      rtts.push(Number(process.hrtime.bigint() - sent) / 1e6);
      if (rtts.length < count) send();
      else child.stdin.end();
    });
    child.on('close', (code) => (rtts.length === count ? resolve(rtts) : reject(new Error(`ssh ${host} cat exited ${code}: ${err}`))));
    // The first line also waits for the login; send it once the session is surely up.
    setTimeout(send, 1500);
  });
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

async function startGateway(work: string, target: Sshd) {
  const config = parseConfig({
    dataDir: work,
    identity: { devIssuer: { enabled: true, dir: join(work, 'dev') } },
    connections: { bench: { protocol: 'ssh', host: '127.0.0.1', port: target.port, hostKey: target.fingerprint, upstream: { user: target.user, privateKeyPath: target.clientKeyPath } } },
    roles: { bench: { match: { issuer: 'tollgate-dev', groups: ['bench'] }, grants: [{ connections: ['bench'] }] } },
  }, {});
  const clock = systemClock;
  const dev = await DevIssuer.open({ dir: join(work, 'dev'), clock, audience: 'tollgate' });
  const log = await openEmbeddedLog({ dir: join(work, 'log'), partitions: 2, fsync: 'never' });
  const codec = await EventCodec.create(await LocalSchemaRegistry.open(join(work, 'schemas')));
  const sink = new RecordingSink(log, { topic: Topics.frames, maxPendingBytes: 64 * 1024 * 1024, retryDelayMs: 100 });
  let recordedBytes = 0;
  const countingWrite = sink.write.bind(sink);
  sink.write = (key, value) => {
    recordedBytes += value.length;
    countingWrite(key, value);
  };
  const gateway = new SshGateway({
    config, logger: createLogger({ level: 'silent' }), clock, ids: sequentialIds('bench'), codec, sink,
    verifier: createIdentityVerifier({ issuers: [dev.issuerSettings(0)], clock }),
    policy: compilePolicy({ roles: config.roles, connections: config.connections }),
    hostKey: loadOrCreateHostKey(join(work, 'gw_host_key')).key,
  });
  const { port } = await gateway.listen('127.0.0.1', 0);
  const token = await dev.mint({ subject: 'bench', groups: ['bench'], ttlMs: 3_600_000 });
  return {
    port, token, recorded: () => recordedBytes,
    async stop() {
      await gateway.close();
      await sink.close();
      await log.close();
    },
  };
}

function sshConfig(work: string, target: Sshd, bastion: Sshd, gatewayPort: number): string {
  const common = ['  HostName 127.0.0.1', '  StrictHostKeyChecking no', '  UserKnownHostsFile /dev/null', '  LogLevel ERROR'];
  const key = [`  User ${target.user}`, `  IdentityFile ${target.clientKeyPath}`, '  IdentitiesOnly yes', '  PreferredAuthentications publickey'];
  const text = [
    'Host bastion', ...common, ...key, `  Port ${bastion.port}`,
    'Host direct', ...common, ...key, `  Port ${target.port}`,
    'Host proxyjump', ...common, ...key, `  Port ${target.port}`, '  ProxyJump bastion',
    'Host tollgate', ...common, '  User bench', `  Port ${gatewayPort}`, '  PubkeyAuthentication no', '  PreferredAuthentications password', '  NumberOfPasswordPrompts 1',
  ].join('\n');
  const path = join(work, 'ssh_config');
  writeFileSync(path, `${text}\n`);
  return path;
}

/** Runs the benchmark and returns its figures. */
export async function run(): Promise<SshBenchFigures> {
  const megabytes = Number(process.env['BENCH_SSH_MB'] ?? 256);
  const count = Number(process.env['BENCH_SSH_ROUNDS'] ?? 200);
  const rounds = Number(process.env['BENCH_SSH_ROUNDS_OUTER'] ?? 2);
  const settings = { megabytes, roundTrips: count, rounds };
  // BENCH_SSH_PATHS=tollgate runs a subset (for profiling); ratios need all three.
  const only = (process.env['BENCH_SSH_PATHS'] ?? '').split(',').filter(Boolean);
  const empty = { throughputTollgateToProxyjump: 0, throughputTollgateToDirect: 0, throughputProxyjumpToDirect: 0, rttP50TollgateToProxyjump: 0, rttP50TollgateToDirect: 0 };
  if (!sshdAvailable()) return { available: false, reason: '/usr/sbin/sshd is not installed', settings, paths: [], ratios: empty, recordedBytes: 0 };
  const work = mkdtempSync(join(tmpdir(), 'tollgate-sshbench-'));
  const target = await startSshd();
  const bastion = await startSshd({ clientKeyPath: target.clientKeyPath });
  const gw = await startGateway(work, target);
  try {
    const config = sshConfig(work, target, bastion, gw.port);
    const askpass = join(work, 'askpass.sh');
    writeFileSync(askpass, `#!/bin/sh\nprintf '%s\\n' '${gw.token}'\n`, { mode: 0o700 });
    const env = { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
    const best = new Map<PathName, SshPathFigure>();
    for (let r = 0; r < rounds; r++) {
      for (const path of PATHS.filter((p) => only.length === 0 || only.includes(p))) {
        const seconds = await sshRun(config, path, 'cat > /dev/null', env, `head -c ${megabytes * 1024 * 1024} /dev/zero`);
        const rtts = await roundTrips(config, path, env, count);
        const fig: SshPathFigure = {
          path, bulkSeconds: seconds, mbPerSecond: megabytes / seconds,
          rttP50Ms: quantile(rtts, 0.5), rttP99Ms: quantile(rtts, 0.99), rttMeanMs: rtts.reduce((a, b) => a + b, 0) / rtts.length,
        };
        process.stderr.write(`  round ${r + 1} ${path.padEnd(10)} ${fig.mbPerSecond.toFixed(1).padStart(8)} MiB/s  rtt p50 ${fig.rttP50Ms.toFixed(3)} ms  p99 ${fig.rttP99Ms.toFixed(3)} ms\n`);
        const prev = best.get(path);
        best.set(path, prev === undefined ? fig : {
          ...fig,
          mbPerSecond: Math.max(prev.mbPerSecond, fig.mbPerSecond), bulkSeconds: Math.min(prev.bulkSeconds, fig.bulkSeconds),
          rttP50Ms: Math.min(prev.rttP50Ms, fig.rttP50Ms), rttP99Ms: Math.min(prev.rttP99Ms, fig.rttP99Ms), rttMeanMs: Math.min(prev.rttMeanMs, fig.rttMeanMs),
        });
      }
    }
    const get = (p: PathName): SshPathFigure => best.get(p) ?? { path: p, mbPerSecond: Number.NaN, bulkSeconds: Number.NaN, rttP50Ms: Number.NaN, rttP99Ms: Number.NaN, rttMeanMs: Number.NaN };
    const ratios = {
      throughputTollgateToProxyjump: get('tollgate').mbPerSecond / get('proxyjump').mbPerSecond,
      throughputTollgateToDirect: get('tollgate').mbPerSecond / get('direct').mbPerSecond,
      throughputProxyjumpToDirect: get('proxyjump').mbPerSecond / get('direct').mbPerSecond,
      rttP50TollgateToProxyjump: get('tollgate').rttP50Ms / get('proxyjump').rttP50Ms,
      rttP50TollgateToDirect: get('tollgate').rttP50Ms / get('direct').rttP50Ms,
    };
    const figures: SshBenchFigures = { available: true, reason: null, settings, paths: PATHS.map(get), ratios, recordedBytes: gw.recorded() };
    process.stderr.write(`\nbest of ${rounds} rounds: ${PATHS.map((p) => `${p} ${get(p).mbPerSecond.toFixed(1)} MiB/s, rtt p50 ${get(p).rttP50Ms.toFixed(3)} ms`).join('; ')}\n`);
    process.stderr.write(`throughput tollgate/proxyjump ${ratios.throughputTollgateToProxyjump.toFixed(3)}, tollgate/direct ${ratios.throughputTollgateToDirect.toFixed(3)}; rtt p50 tollgate/proxyjump ${ratios.rttP50TollgateToProxyjump.toFixed(3)}\n`);
    return figures;
  } finally {
    await gw.stop().catch(() => undefined);
    await bastion.stop();
    await target.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await run();
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type ssh2 from 'ssh2';
import { sequentialIds, systemClock } from '../../../core/clock.js';
import { parseConfig, type TollgateConfig } from '../../../core/config/index.js';
import { EventCodec } from '../../../core/events/codec.js';
import { LocalSchemaRegistry } from '../../../core/events/registry/local.js';
import type { Frame } from '../../../core/events/types.js';
import { createIdentityVerifier, DevIssuer } from '../../../core/identity/index.js';
import { createLogger } from '../../../core/logger.js';
import { Topics } from '../../../core/log/port.js';
import { compilePolicy } from '../../../core/policy/index.js';
import { RecordingSink } from '../../../core/recording/sink.js';
import { loadOrCreateHostKey } from '../host-key.js';
import { SshGateway } from '../server.js';
import { CaptureLog } from './capture-log.js';
import { startSshd, type Sshd } from './sshd.js';

export interface SshHarnessOptions {
  /** Grants per role name: [connections, guardrail profile names]. */
  roles?: Record<string, { connections: string[]; guardrails?: string[]; recording?: 'strict' | 'buffered' }>;
  guardrails?: Record<string, Record<string, unknown>>;
  limits?: Record<string, unknown>;
  /** Replaces the pinned host key of connection "bad-pin". */
  connections?: (sshd: Sshd) => Record<string, unknown>;
  sinkMaxPendingBytes?: number;
  upstream?: Partial<ssh2.ConnectConfig>;
  /** Environment the config's `{ env: NAME }` secrets are resolved from (none by default). */
  env?: Record<string, string>;
}

export interface SshHarness {
  sshd: Sshd;
  port: number;
  dir: string;
  config: TollgateConfig;
  gateway: SshGateway;
  log: CaptureLog;
  sink: RecordingSink;
  token(subject: string, groups: string[], ttlMs?: number): Promise<string>;
  frames(): Promise<Frame[]>;
  /** Frames once `done` holds for them (sessions end asynchronously after the client exits); 5 s at most. */
  framesUntil(done: (frames: Frame[]) => boolean): Promise<Frame[]>;
  close(): Promise<void>;
}

/** Starts sshd, a capture log, the dev issuer and an SSH gateway; each suite gets its own. */
export async function startSshHarness(options: SshHarnessOptions = {}): Promise<SshHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-sshgw-'));
  const sshd = await startSshd();
  const conn = (extra: Record<string, unknown> = {}) => ({
    protocol: 'ssh', host: '127.0.0.1', port: sshd.port, hostKey: sshd.fingerprint,
    upstream: { user: sshd.user, privateKeyPath: sshd.clientKeyPath }, ...extra,
  });
  const roles = options.roles ?? { ops: { connections: ['*'] } };
  // SSH built-in profile names are not yet in the config loader's list of known names; the
  // grants are set after validation (the gateway compiles them itself, see guardrails/compile.ts).
  const raw = {
    dataDir: dir,
    node: { name: 'test-node' },
    identity: { devIssuer: { enabled: true, dir: join(dir, 'dev') } },
    connections: { web: conn(), relaxed: conn({ recording: { mode: 'buffered' } }), 'bad-pin': conn({ hostKey: `SHA256:${'A'.repeat(43)}` }), db: { protocol: 'postgres', host: '127.0.0.1', database: 'x', upstream: { user: 'x', tls: { mode: 'disable' } } }, ...options.connections?.(sshd) },
    roles: Object.fromEntries(Object.entries(roles).map(([name, r]) => [name, { match: { issuer: 'tollgate-dev', groups: [name] }, grants: [{ connections: r.connections, ...(r.recording === undefined ? {} : { recording: r.recording }) }] }])),
    guardrails: options.guardrails ?? {},
    limits: { idleTimeout: '10m', ...options.limits },
  };
  const config = parseConfig(raw, options.env ?? {});
  for (const [name, r] of Object.entries(roles)) config.roles[name]!.grants[0]!.guardrails = r.guardrails ?? [];
  const clock = systemClock;
  const dev = await DevIssuer.open({ dir: join(dir, 'dev'), clock, audience: 'tollgate' });
  const verifier = createIdentityVerifier({ issuers: [dev.issuerSettings(0)], clock });
  const log = new CaptureLog();
  const codec = await EventCodec.create(await LocalSchemaRegistry.open(join(dir, 'schemas')));
  const sink = new RecordingSink(log, { topic: Topics.frames, maxPendingBytes: options.sinkMaxPendingBytes ?? 8 * 1024 * 1024, retryDelayMs: 20 });
  const { key } = loadOrCreateHostKey(join(dir, 'gateway_host_key'));
  const gateway = new SshGateway({
    config, logger: createLogger({ level: 'silent' }), clock, ids: sequentialIds('ssh'), verifier, codec, sink, hostKey: key,
    policy: compilePolicy({ roles: config.roles, connections: config.connections }),
    ...(options.upstream === undefined ? {} : { upstream: options.upstream }),
  });
  const { port } = await gateway.listen('127.0.0.1', 0);
  return {
    sshd, port, dir, config, gateway, log, sink,
    token: (subject, groups, ttlMs = 600_000) => dev.mint({ subject, groups, ttlMs }),
    async frames() {
      await sink.flush();
      return log.values.map((v) => codec.decodeFrame(v));
    },
    async framesUntil(done) {
      const until = Date.now() + 5000;
      for (;;) {
        await sink.flush();
        const frames = log.values.map((v) => codec.decodeFrame(v));
        if (done(frames) || Date.now() > until) return frames;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await gateway.close();
      await sink.close().catch(() => undefined);
      await sshd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes an askpass script printing the token, for OpenSSH's non-interactive password auth. */
export function askpass(dir: string, token: string): string {
  const path = join(dir, `askpass-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' '${token.replace(/'/g, '')}'\n`, { mode: 0o700 });
  return path;
}

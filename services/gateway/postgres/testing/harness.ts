import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, sequentialIds } from '../../../core/clock.js';
import { parseConfig, type TollgateConfig } from '../../../core/config/index.js';
import { TollgateError } from '../../../core/errors.js';
import { EventCodec } from '../../../core/events/codec.js';
import { LocalSchemaRegistry } from '../../../core/events/registry/local.js';
import type { Frame } from '../../../core/events/types.js';
import { createIdentityVerifier, DevIssuer } from '../../../core/identity/index.js';
import { createLogger } from '../../../core/logger.js';
import { openEmbeddedLog } from '../../../core/log/embedded/index.js';
import { Topics, type AppendRecord, type EventLog, type ConsumeOptions, type BatchHandler, type Consumer } from '../../../core/log/port.js';
import { compilePolicy } from '../../../core/policy/index.js';
import { RecordingSink } from '../../../core/recording/sink.js';
import { startPostgresServer, type PostgresServer } from '../../../demo/postgres-server.js';
import { ColumnCatalog } from '../column-catalog.js';
import { PgCatalogSource } from '../catalog-source.js';
import { GrantCompiler } from '../grant-runtime.js';
import { loadGuardrailParser } from '../guardrails/index.js';
import { gatewayRuntime, PostgresGateway } from '../server.js';
import { listenerTls } from '../server-tls.js';
import type { PostgresConnection } from '../session-start.js';

/** An EventLog whose appends the test can make fail, standing in for a log that went down. */
export class SwitchableLog implements EventLog {
  up = true;
  constructor(private readonly inner: EventLog) {}
  append(topic: string, records: readonly AppendRecord[]): Promise<void> {
    if (!this.up) return Promise.reject(new TollgateError('TG_ERR_LOG_UNAVAILABLE', 'test: log is down'));
    return this.inner.append(topic, records);
  }
  consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
    return this.inner.consume(options, handler);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Signals the postmaster itself: as root the demo server runs under runuser, which does not pass
 * SIGINT on, so stop() would otherwise wait for its 10 s SIGKILL fallback.
 */
function stopPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // Already gone.
  }
}

/** A free loopback port (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

export interface HarnessOptions {
  /** Extra or replaced config sections (merged over the defaults below). */
  config?: (pgPort: number) => Record<string, unknown>;
  limits?: Record<string, unknown>;
  listenerTls?: { certPath: string; keyPath: string; mode: 'required' | 'optional' };
  /** Extra PostgreSQL settings (e.g. ssl=on with certificate files). */
  pgSettings?: Record<string, string>;
  /** Extra connections, given the PostgreSQL port. */
  connections?: (pgPort: number) => Record<string, unknown>;
}

export interface Harness {
  pg: PostgresServer;
  port: number;
  config: TollgateConfig;
  gateway: PostgresGateway;
  log: SwitchableLog;
  sink: RecordingSink;
  codec: EventCodec;
  dir: string;
  /** A dev-issuer token for subject with groups (default lifetime 10 minutes). */
  token(subject: string, groups: string[], ttlMs?: number): Promise<string>;
  /** Every frame recorded so far, decoded, in log order. */
  frames(): Promise<Frame[]>;
  close(): Promise<void>;
}

const SETUP_SQL = `
CREATE DATABASE shop;
CREATE ROLE app LOGIN PASSWORD 'app-secret';
CREATE ROLE trusty LOGIN;
SET password_encryption = 'md5';
CREATE ROLE legacy LOGIN PASSWORD 'legacy-secret';`;

const SHOP_SQL = `
CREATE TABLE customers (id int PRIMARY KEY, name text, email text UNIQUE, card text, note text);
INSERT INTO customers VALUES
  (1, 'Alice', 'alice@example.com', '4111 1111 1111 1111', 'vip'),
  (2, 'Bob', 'bob@example.org', '5500 0000 0000 0004', 'card 4012888888881881 on file');
GRANT ALL ON ALL TABLES IN SCHEMA public TO app, legacy, trusty;
GRANT ALL ON SCHEMA public TO app;`;

/** Starts PostgreSQL, the log, the issuer and a gateway; every suite gets its own. */
/** One harness per test file: started before its tests (handed to `set`), closed after them. */
export function useHarness(set: (h: Harness) => void, options: HarnessOptions = {}): void {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(options);
    set(started);
  }, 120_000);
  afterAll(async () => {
    await started?.close();
  });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pgw-'));
  const pg = await startPostgresServer({
    port: await freePort(),
    hbaLines: ['host all legacy 127.0.0.1/32 md5', 'host all trusty 127.0.0.1/32 trust'],
    ...(options.pgSettings === undefined ? {} : { settings: options.pgSettings }),
  });
  for (const stmt of SETUP_SQL.split(';').map((s) => s.trim()).filter(Boolean)) pg.psql(stmt);
  pg.psql(SHOP_SQL, 'shop');
  const conn = (user: string, extra: Record<string, unknown> = {}) => ({
    protocol: 'postgres', host: '127.0.0.1', port: pg.port, database: 'shop',
    upstream: { user, ...(user === 'trusty' ? {} : { password: { env: `PW_${user.toUpperCase()}` } }), tls: { mode: 'disable' } },
    ...extra,
  });
  const raw = {
    dataDir: dir,
    node: { name: 'test-node' },
    identity: { devIssuer: { enabled: true, dir: join(dir, 'dev') } },
    connections: {
      app: conn('app'), legacy: conn('legacy'), trusty: conn('trusty'), relaxed: conn('app', { recording: { mode: 'buffered' } }),
      ...options.connections?.(pg.port),
    },
    roles: {
      dev: { match: { issuer: 'tollgate-dev', groups: ['dev'] }, grants: [{ connections: ['*'] }] },
      analyst: { match: { issuer: 'tollgate-dev', groups: ['analyst'] }, grants: [{ connections: ['app'], guardrails: ['read-only'], masking: ['customer-pii'] }] },
      writer: { match: { issuer: 'tollgate-dev', groups: ['writer'] }, grants: [{ connections: ['app'], guardrails: ['no-ddl', 'no-unbounded-writes'] }] },
      masked: { match: { issuer: 'tollgate-dev', groups: ['masked'] }, grants: [{ connections: ['app'], masking: ['customer-pii'] }] },
      watcher: { match: { issuer: 'tollgate-dev', groups: ['watcher'] }, grants: [{ connections: ['app'], guardrails: ['watch'] }] },
    },
    guardrails: { watch: { protocol: 'postgres', profiles: ['no-ddl'], mode: 'observe' } },
    masking: { 'customer-pii': { columns: [{ column: 'customers.email', action: 'redact' }], detectors: ['card'] } },
    limits: { idleTimeout: '10m', statementTimeout: '5m', ...options.limits },
    ...(options.listenerTls === undefined ? {} : { listeners: { postgres: { tls: options.listenerTls } } }),
    ...options.config?.(pg.port),
  };
  const config = parseConfig(raw, { PW_APP: 'app-secret', PW_LEGACY: 'legacy-secret' });
  await loadGuardrailParser();
  const clock = systemClock;
  const dev = await DevIssuer.open({ dir: join(dir, 'dev'), clock, audience: 'tollgate' });
  const verifier = createIdentityVerifier({ issuers: [dev.issuerSettings(0)], clock });
  const log = new SwitchableLog(await openEmbeddedLog({ dir: join(dir, 'log'), partitions: 2, fsync: 'never' }));
  const codec = await EventCodec.create(await LocalSchemaRegistry.open(join(dir, 'schemas')));
  const sink = new RecordingSink(log, { topic: Topics.frames, maxPendingBytes: 8 * 1024 * 1024, retryDelayMs: 20 });
  const logger = createLogger({ level: 'silent' });
  const catalogs = new Map<string, ColumnCatalog>();
  const sources: PgCatalogSource[] = [];
  const gateway = new PostgresGateway({
    config, logger, clock, ids: sequentialIds('pg'), verifier, codec, sink,
    policy: compilePolicy({ roles: config.roles, connections: config.connections }),
    grants: new GrantCompiler(config),
    catalogFor: (name) => {
      let c = catalogs.get(name);
      if (c === undefined) {
        const source = new PgCatalogSource(config.connections[name] as PostgresConnection);
        sources.push(source);
        c = new ColumnCatalog(source, () => clock.nowMs());
        catalogs.set(name, c);
      }
      return c;
    },
    tls: listenerTls(config.listeners.postgres.tls, dir, logger),
    ...gatewayRuntime(),
  });
  const { port } = await gateway.listen('127.0.0.1', 0);
  let group = 0;
  return {
    pg, port, config, gateway, log, sink, codec, dir,
    token: (subject, groups, ttlMs = 600_000) => dev.mint({ subject, groups, ttlMs }),
    async frames() {
      await sink.flush();
      const values: { partition: number; offset: number; value: Buffer }[] = [];
      let last = Date.now();
      const consumer = await log.consume({ group: `read-${++group}`, topics: [Topics.frames], start: 'earliest' }, (batch) => {
        for (const r of batch.records) values.push({ partition: r.partition, offset: r.offset, value: r.value });
        last = Date.now();
        return Promise.resolve();
      });
      while (Date.now() - last < 150) await new Promise((r) => setTimeout(r, 25));
      await consumer.stop();
      return values.map((v) => codec.decodeFrame(v.value));
    },
    async close() {
      log.up = true;
      await gateway.close();
      await sink.close().catch(() => undefined);
      for (const s of sources) await s.close();
      await log.close();
      stopPostmaster(pg.dataDir);
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

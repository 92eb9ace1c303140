import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../services/core/events/types.js';
import { startPostgresServer, type PostgresServer } from '../../services/demo/postgres-server.js';
import { initPgbench, runPgbench, type PgbenchResult, type PgTarget } from '../../load-tests/support/pgbench.js';
import { freePort } from '../../load-tests/support/processes.js';
import { readRecordedFrames } from '../../load-tests/support/recorded-frames.js';
import { mintToken, startGatewayProcess, type GatewaySetup } from '../../load-tests/support/tollgate-gateway.js';

// pgbench (a real client) through `tollgate gateway` (the CLI, as a user runs it) to a real
// PostgreSQL, with recording, read-only guardrails and masking on; then the embedded log is read back.
const CLIENTS = 2;
const PER_CLIENT = 50;
const TRANSACTIONS = CLIENTS * PER_CLIENT;
const PASSWORD = 'e2e-upstream-secret';

interface Session {
  frames: Frame[];
}

function sessionsOf(frames: readonly Frame[]): Map<string, Session> {
  const sessions = new Map<string, Session>();
  for (const f of frames) {
    const s = sessions.get(f.sessionId) ?? { frames: [] };
    s.frames.push(f);
    sessions.set(f.sessionId, s);
  }
  return sessions;
}

/** Client frames of this type whose payload names the pgbench accounts table. */
function statementFrames(frames: readonly Frame[], messageType: 'Query' | 'Parse'): Frame[] {
  return frames.filter((f) => f.direction === 'CLIENT_TO_GATEWAY' && f.messageType === messageType
    && f.body.kind === 'Wire' && f.body.payload.includes('pgbench_accounts'));
}

describe('pgbench through the PostgreSQL gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-e2e-pgbench-'));
  let pg: PostgresServer | undefined;
  let token = '';
  let simple: PgbenchResult;
  let extended: PgbenchResult;
  let writeError: unknown;
  let frames: Frame[] = [];

  beforeAll(async () => {
    pg = await startPostgresServer({ port: await freePort() });
    pg.psql(`CREATE ROLE bench LOGIN PASSWORD '${PASSWORD}'`);
    pg.psql('CREATE DATABASE bench OWNER bench');
    await initPgbench({ port: pg.port, database: 'bench', user: 'bench', password: PASSWORD }, 1);
    const setup: GatewaySetup = {
      dataDir: join(dir, 'gateway'), port: await freePort(), upstreamPort: pg.port,
      database: 'bench', upstreamUser: 'bench', upstreamPassword: PASSWORD,
    };
    token = await mintToken(setup.dataDir, 'e2e-pgbench');
    const started = await startGatewayProcess(setup);
    if (!started.ok) throw new Error(started.reason);
    const target: PgTarget = { port: setup.port, database: 'bench', user: 'e2e-pgbench', password: token };
    try {
      simple = await runPgbench(target, { mode: 'simple', clients: CLIENTS, threads: 1, transactionsPerClient: PER_CLIENT });
      extended = await runPgbench(target, { mode: 'extended', clients: CLIENTS, threads: 1, transactionsPerClient: PER_CLIENT });
      writeError = await runPgbench(target, { mode: 'simple', clients: 1, threads: 1, transactionsPerClient: 1, script: 'tpcb-like' }).then(() => undefined, (err: unknown) => err);
    } finally {
      // Stopping flushes every frame and releases the log's directory lock for the reader.
      await started.gateway.stop();
    }
    frames = await readRecordedFrames(setup.dataDir);
  }, 120_000);

  afterAll(async () => {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the select-only script in simple protocol with no failed transaction', () => {
    expect(simple.transactions).toBe(TRANSACTIONS);
    expect(simple.failed).toBe(0);
  });

  it('runs the select-only script in extended protocol with no failed transaction', () => {
    expect(extended.transactions).toBe(TRANSACTIONS);
    expect(extended.failed).toBe(0);
  });

  it('records a Query frame for every simple-protocol transaction', () => {
    expect(statementFrames(frames, 'Query').length).toBeGreaterThanOrEqual(simple.transactions);
  });

  it('records a Parse frame for every extended-protocol transaction', () => {
    expect(statementFrames(frames, 'Parse').length).toBeGreaterThanOrEqual(extended.transactions);
  });

  it('keeps each session whole and in order: start first, end last, gap-free sequence numbers', () => {
    const sessions = sessionsOf(frames);
    // Both runs' clients (pgbench may open one more connection for its own checks).
    expect(sessions.size).toBeGreaterThanOrEqual(2 * CLIENTS);
    for (const [, s] of sessions) {
      expect(s.frames[0]?.eventType).toBe('session.start');
      expect(s.frames.at(-1)?.eventType).toBe('session.end');
      s.frames.forEach((f, i) => expect(f.seq).toBe((s.frames[0]?.seq ?? 0) + i));
    }
  });

  it('never records the token pgbench sent as its password', () => {
    const needle = Buffer.from(token.split('.')[2] ?? token);
    for (const f of frames) {
      if (f.body.kind === 'Wire') expect(f.body.payload.includes(needle)).toBe(false);
      if (f.body.kind === 'SessionStart') expect(f.body.identity.claimsJson.includes(token)).toBe(false);
    }
  });

  it('blocks the writing tpcb-like script under read-only guardrails and records the block', () => {
    expect(writeError).toBeInstanceOf(Error);
    expect(String((writeError as Error).message)).toMatch(/aborted/);
    const blocks = frames.filter((f) => f.eventType === 'policy.block');
    expect(blocks.length).toBeGreaterThanOrEqual(1);
  });
});

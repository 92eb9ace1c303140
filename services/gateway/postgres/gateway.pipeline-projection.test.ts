import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../core/events/types.js';
import type { EncodableFrontendMessage } from './protocol/index.js';
import { useHarness, type Harness } from './testing/harness.js';
import { RawSession, summary } from './testing/raw-session.js';
import { storedFrameOf } from '../../../ingest/model/stored-frame.js';
import { maskLabelsOf } from '../../../ingest/projection/mask-labels.js';
import { PgQueryTracker } from '../../../ingest/projection/queries.js';
import type { QueryRow } from '../../../ingest/projection/rows.js';

// End to end: pipelined extended-protocol batches through the real gateway to a real PostgreSQL,
// then the recorded frames through the ingest query projection.
let h: Harness;
useHarness((started) => (h = started));

/** Parse + Bind + Describe + Execute of one statement on its own named statement and portal. */
const statement = (name: string, query: string, maxRows = 0): EncodableFrontendMessage[] => [
  { kind: 'Parse', statement: name, query, parameterTypes: [] },
  { kind: 'Bind', portal: name, statement: name, parameterFormats: [], parameters: [], resultFormats: [] },
  { kind: 'Describe', target: 'P', name },
  { kind: 'Execute', portal: name, maxRows },
];

async function framesOf(subject: string): Promise<Frame[]> {
  for (const end = Date.now() + 5000; h.gateway.sessionCount > 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  const all = await h.frames();
  // pgbench opens a first connection of its own before the one that runs the script: the longest session is the one.
  const ids = new Set(all.filter((f) => f.body.kind === 'SessionStart' && f.body.identity.subject === subject).map((f) => f.sessionId));
  const sessions = [...ids].map((id) => all.filter((f) => f.sessionId === id));
  return sessions.sort((a, b) => b.length - a.length)[0] ?? [];
}

/** The statements' rows in Execute order, and the rows handed to the rules. */
function project(frames: Frame[]): { rows: QueryRow[]; finished: QueryRow[] } {
  const rows = new Map<number, QueryRow>();
  const finished: QueryRow[] = [];
  const tracker = new PgQueryTracker(() => ({ session_id: frames[0]!.sessionId, subject: 's', connection: 'app' }));
  const sink = { row: (r: QueryRow) => rows.set(r.seq, { ...r, masking: [...r.masking] }), finished: (r: QueryRow) => finished.push({ ...r, masking: [...r.masking] }) };
  frames.forEach((f, i) => tracker.apply(storedFrameOf(f, 0, i), sink));
  tracker.flushOpen(sink);
  return { rows: [...rows.values()].sort((a, b) => a.seq - b.seq), finished };
}

const brief = (r: QueryRow) => [r.statement, r.rows, r.outcome, r.error];

/** What the masking decisions naming seq say was masked. */
const maskLabelsFor = (frames: Frame[], seq: number): string[] =>
  frames.filter((f) => f.body.kind === 'Decision' && f.body.refSeq === seq && f.eventType.startsWith('mask.')).flatMap((f) => maskLabelsOf(storedFrameOf(f, 0, 0)));

describe('pipelined Executes through the gateway, projected', () => {
  it('gives each Execute its own rows, masking, error or skip, and suspended portals their share', async () => {
    const s = await RawSession.login(h.port, 'app', await h.token('pipa', ['masked']));
    try {
      s.send([
        ...statement('a', 'SELECT id FROM customers ORDER BY id'),
        ...statement('b', 'SELECT email FROM customers WHERE id = 1'),
        ...statement('c', 'SELECT generate_series(1, 5)'),
        { kind: 'Sync' },
        ...statement('d', 'SELECT 1'),
        ...statement('e', 'SELECT 1/0'),
        ...statement('f', 'SELECT 3'),
        { kind: 'Sync' },
        { kind: 'Parse', statement: 'g', query: 'SELECT generate_series(1, 5)', parameterTypes: [] },
        { kind: 'Bind', portal: 'cur', statement: 'g', parameterFormats: [], parameters: [], resultFormats: [] },
        { kind: 'Describe', target: 'P', name: 'cur' },
        { kind: 'Execute', portal: 'cur', maxRows: 2 },
        { kind: 'Execute', portal: 'cur', maxRows: 0 },
        { kind: 'Sync' },
      ]);
      const got = summary(await s.readyFor(3));
      expect(got.filter((k) => k.startsWith('Error'))).toEqual(['Error:22012']);
      expect(got).toContain('PortalSuspended');
    } finally {
      s.close();
    }
    const frames = await framesOf('pipa');
    const { rows, finished } = project(frames);
    expect(rows.map(brief)).toEqual([
      ['SELECT id FROM customers ORDER BY id', 2, 'ok', ''],
      ['SELECT email FROM customers WHERE id = 1', 1, 'ok', ''],
      ['SELECT generate_series(1, 5)', 5, 'ok', ''],
      ['SELECT 1', 1, 'ok', ''],
      ['SELECT 1/0', 0, 'error', 'division by zero'],
      ['SELECT 3', 0, 'skipped', ''],
      ['SELECT generate_series(1, 5)', 2, 'ok', ''],
      ['SELECT generate_series(1, 5)', 3, 'ok', ''],
    ]);
    expect(rows.slice(0, 3).map((r) => r.masking)).toEqual([[], ['public.customers.email:redact'], []]);
    // Every masking summary lands on the Execute it names. The resumed portal (after PortalSuspended,
    // in a batch pipelined behind two others) masks with its own description: nothing withheld.
    expect(rows.map((r) => r.masking)).toEqual(rows.map((r) => maskLabelsFor(frames, r.seq)));
    expect(rows.slice(6).map((r) => r.masking)).toEqual([[], []]);
    expect(finished.map(brief)).toEqual(rows.map(brief));
    expect(finished.map((r) => r.masking)).toEqual(rows.map((r) => r.masking));
  });

  it('shows a statement blocked mid-pipeline as blocked with the gateway\'s answer, and the rest of the batch as skipped', async () => {
    const s = await RawSession.login(h.port, 'app', await h.token('blake', ['writer']));
    try {
      s.send([...statement('a', 'SELECT 1'), ...statement('b', 'DROP TABLE customers'), ...statement('c', 'SELECT 3'), { kind: 'Sync' }]);
      expect(summary(await s.readyFor(1)).filter((k) => k.startsWith('Error'))).toEqual(['Error:42501']);
    } finally {
      s.close();
    }
    const { rows } = project(await framesOf('blake'));
    expect(rows.map((r) => [r.statement, r.outcome, r.guardrail_action])).toEqual([
      ['SELECT 1', 'ok', ''],
      ['DROP TABLE customers', 'blocked', 'BLOCK'],
      ['SELECT 3', 'skipped', ''],
    ]);
    expect(rows[1]!.error).toMatch(/^blocked by guardrail no-ddl\/ddl/);
    expect(rows[1]!.error).not.toContain('tollgate_blocked_');
  });

  it('projects a real client\'s pipeline (pgbench \\startpipeline, extended protocol) statement by statement', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-pipe-'));
    const script = join(dir, 'pipeline.sql');
    writeFileSync(script, ['\\startpipeline', 'SELECT id FROM customers ORDER BY id;', 'SELECT generate_series(1, 3);', 'SELECT 42;', '\\endpipeline', ''].join('\n'));
    const conninfo = `host=127.0.0.1 port=${h.port} dbname=app user=someone sslmode=disable`;
    const env = { ...process.env, PGPASSWORD: await h.token('benny', ['dev']), PGCONNECT_TIMEOUT: '10' };
    await promisify(execFile)('/usr/lib/postgresql/15/bin/pgbench', ['-n', '-M', 'extended', '-t', '1', '-f', script, conninfo], { env, timeout: 30_000 });
    const frames = await framesOf('benny');
    // Pipelined: the three Executes went out before the one Sync.
    expect(frames.filter((f) => f.messageType === 'Execute' || f.messageType === 'Sync').map((f) => f.messageType)).toEqual(['Execute', 'Execute', 'Execute', 'Sync']);
    const { rows, finished } = project(frames);
    expect(rows.map(brief)).toEqual([
      ['SELECT id FROM customers ORDER BY id;', 2, 'ok', ''],
      ['SELECT generate_series(1, 3);', 3, 'ok', ''],
      ['SELECT 42;', 1, 'ok', ''],
    ]);
    expect(finished.map(brief)).toEqual(rows.map(brief));
  });
});

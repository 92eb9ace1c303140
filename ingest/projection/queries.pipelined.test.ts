import { beforeAll, describe, expect, it } from 'vitest';
import { decisionBody } from '../../services/core/events/bodies.js';
import type { EventCodec } from '../../services/core/events/codec.js';
import type { BackendMessage, EncodableFrontendMessage } from '../../services/gateway/postgres/protocol/index.js';
import { encodeBackendMessage, encodeFrontendMessage, noticeFields } from '../../services/gateway/postgres/protocol/index.js';
import { decodeFrames } from '../pipeline/decode.js';
import { FixtureRecorder, type ScriptedSession } from '../testing/fixtures.js';
import { ProjectionOutput, Projector } from './projector.js';
import type { QueryRow } from './rows.js';

// Pipelines (libpq pipeline mode, pgx batches, JDBC batches) recorded with the real SessionRecorder
// in the order the PostgreSQL gateway records them: client messages as they arrive, then the
// server's answers strictly in order (relay-session.ts).
let rec: FixtureRecorder;
beforeAll(async () => {
  rec = await FixtureRecorder.create();
});

/** A session whose client and server messages are scripted one by one; returns each frame's seq. */
class Pipeline {
  constructor(readonly s: ScriptedSession) {}
  client(m: EncodableFrontendMessage): number {
    return this.s.wire('CLIENT_TO_GATEWAY', m.kind === 'Execute' ? 'db.execute' : m.kind === 'Parse' ? 'db.parse' : m.kind === 'Bind' ? 'db.bind' : 'db.frame', m.kind, encodeFrontendMessage(m));
  }
  server(m: BackendMessage, direction: 'UPSTREAM_TO_GATEWAY' | 'GATEWAY_TO_CLIENT' = 'UPSTREAM_TO_GATEWAY', maskedInline = false): number {
    const type = m.kind === 'DataRow' ? 'db.row' : m.kind === 'CommandComplete' ? 'db.complete' : m.kind === 'ErrorResponse' ? 'db.error' : 'db.frame';
    return this.s.wire(direction, type, m.kind, encodeBackendMessage(m), null, maskedInline);
  }
  /** Parse + Bind (+ Describe) + Execute of one statement on its own portal; returns the Execute's seq. */
  statement(name: string, sql: string, maxRows = 0): number {
    this.client({ kind: 'Parse', statement: name, query: sql, parameterTypes: [] });
    this.client({ kind: 'Bind', portal: name, statement: name, parameterFormats: [], parameters: [], resultFormats: [] });
    this.client({ kind: 'Describe', target: 'P', name });
    return this.client({ kind: 'Execute', portal: name, maxRows });
  }
  /** The server's ParseComplete, BindComplete, RowDescription, then rows and the tag. */
  result(rows: number, tag = `SELECT ${rows}`, waitMs = 3): number {
    this.server({ kind: 'ParseComplete' });
    this.server({ kind: 'BindComplete' });
    this.server({ kind: 'RowDescription', fields: [{ name: 'v', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }] });
    for (let i = 0; i < rows; i++) this.server({ kind: 'DataRow', values: [Buffer.from(String(i))] });
    rec.clock.advanceMs(waitMs);
    return this.server({ kind: 'CommandComplete', tag });
  }
  error(message: string, code = '22012', direction: 'UPSTREAM_TO_GATEWAY' | 'GATEWAY_TO_CLIENT' = 'UPSTREAM_TO_GATEWAY'): number {
    return this.server({ kind: 'ErrorResponse', fields: noticeFields({ severity: 'ERROR', code, message }) }, direction);
  }
  ready(): number {
    return this.server({ kind: 'ReadyForQuery', status: 'I' });
  }
}

function project(codec: EventCodec, p: Pipeline): { rows: Map<number, QueryRow>; finished: QueryRow[]; tsOf: Map<number, number> } {
  const decoded = decodeFrames(codec, rec.records.map((r, i) => ({ topic: 't', partition: 0, offset: i, key: r.key, value: r.value, timestampMs: 0 })), 0);
  const frames = decoded.frames.filter((f) => f.sessionId === p.s.id);
  const out = new Projector().project(frames, new ProjectionOutput());
  const rows = new Map(out.rows().queries.map((r) => [r.seq, r]));
  const finished = out.facts.filter((f) => f.kind === 'query').map((f) => f.fields as unknown as QueryRow);
  return { rows, finished, tsOf: new Map(frames.map((f) => [f.seq, f.tsMicros])) };
}

let n = 0;
const session = (): Pipeline => new Pipeline(rec.start(`pipe-${++n}`, 'POSTGRES', { subject: 'pia' }));

describe('PgQueryTracker with Executes pipelined before one Sync', () => {
  it('gives each of three pipelined Executes its own rows, duration and outcome', () => {
    const p = session();
    const e1 = p.statement('a', 'SELECT * FROM small');
    const e2 = p.statement('b', 'SELECT * FROM medium');
    const e3 = p.statement('c', 'INSERT INTO t SELECT 1');
    p.client({ kind: 'Sync' });
    const c1 = p.result(1, 'SELECT 1', 2);
    const c2 = p.result(3, 'SELECT 3', 7);
    const c3 = p.result(0, 'INSERT 0 5', 11);
    p.ready();
    const { rows, finished, tsOf } = project(rec.codec, p);
    expect(rows.get(e1)).toMatchObject({ statement: 'SELECT * FROM small', rows: 1, outcome: 'ok', duration_us: tsOf.get(c1)! - tsOf.get(e1)! });
    expect(rows.get(e2)).toMatchObject({ statement: 'SELECT * FROM medium', rows: 3, outcome: 'ok', duration_us: tsOf.get(c2)! - tsOf.get(e2)! });
    expect(rows.get(e3)).toMatchObject({ statement: 'INSERT INTO t SELECT 1', rows: 5, outcome: 'ok', duration_us: tsOf.get(c3)! - tsOf.get(e3)! });
    expect(rows.size).toBe(3);
    expect(finished.map((r) => [r.seq, r.rows, r.outcome])).toEqual([[e1, 1, 'ok'], [e2, 3, 'ok'], [e3, 5, 'ok']]);
  });

  it('puts an error on the Execute it answers and marks the rest of the batch skipped, then goes on', () => {
    const p = session();
    const e1 = p.statement('a', 'SELECT 1');
    const e2 = p.statement('b', 'SELECT 1/0');
    const e3 = p.statement('c', 'DELETE FROM t');
    p.client({ kind: 'Sync' });
    p.result(1);
    p.server({ kind: 'ParseComplete' });
    p.server({ kind: 'BindComplete' });
    p.server({ kind: 'RowDescription', fields: [] });
    const err = p.error('division by zero');
    p.ready();
    const e4 = p.statement('d', 'SELECT 4');
    p.client({ kind: 'Sync' });
    p.result(2);
    p.ready();
    const { rows, finished, tsOf } = project(rec.codec, p);
    expect(rows.get(e1)).toMatchObject({ rows: 1, outcome: 'ok', error: '' });
    expect(rows.get(e2)).toMatchObject({ statement: 'SELECT 1/0', outcome: 'error', error: 'division by zero', duration_us: tsOf.get(err)! - tsOf.get(e2)! });
    expect(rows.get(e3)).toMatchObject({ statement: 'DELETE FROM t', outcome: 'skipped', rows: 0, error: '', duration_us: 0 });
    expect(rows.get(e4)).toMatchObject({ statement: 'SELECT 4', outcome: 'ok', rows: 2 });
    expect(finished.map((r) => [r.seq, r.outcome])).toEqual([[e1, 'ok'], [e2, 'error'], [e3, 'skipped'], [e4, 'ok']]);
  });

  it('counts a portal suspended at max rows and its next Execute as two rows of the same statement', () => {
    const p = session();
    p.client({ kind: 'Parse', statement: 's', query: 'SELECT * FROM big', parameterTypes: [] });
    p.client({ kind: 'Bind', portal: 'cur', statement: 's', parameterFormats: [], parameters: [], resultFormats: [] });
    const e1 = p.client({ kind: 'Execute', portal: 'cur', maxRows: 2 });
    const e2 = p.client({ kind: 'Execute', portal: 'cur', maxRows: 0 });
    p.client({ kind: 'Sync' });
    p.server({ kind: 'ParseComplete' });
    p.server({ kind: 'BindComplete' });
    p.server({ kind: 'DataRow', values: [Buffer.from('1')] });
    p.server({ kind: 'DataRow', values: [Buffer.from('2')] });
    const s1 = p.server({ kind: 'PortalSuspended' });
    p.server({ kind: 'DataRow', values: [Buffer.from('3')] });
    const c2 = p.server({ kind: 'CommandComplete', tag: 'SELECT 1' });
    p.ready();
    const { rows, tsOf } = project(rec.codec, p);
    expect(rows.get(e1)).toMatchObject({ statement: 'SELECT * FROM big', rows: 2, outcome: 'ok', duration_us: tsOf.get(s1)! - tsOf.get(e1)! });
    expect(rows.get(e2)).toMatchObject({ statement: 'SELECT * FROM big', rows: 1, outcome: 'ok', duration_us: tsOf.get(c2)! - tsOf.get(e2)! });
  });

  it('attaches a masking decision with refSeq to the 2nd Execute and hands the rules the row with it', () => {
    const p = session();
    const e1 = p.statement('a', 'SELECT 1');
    const e2 = p.statement('b', 'SELECT email FROM customers');
    const e3 = p.statement('c', 'SELECT 3');
    p.client({ kind: 'Sync' });
    p.result(1);
    p.server({ kind: 'ParseComplete' });
    p.server({ kind: 'BindComplete' });
    p.server({ kind: 'DataRow', values: [Buffer.from('[redacted]')] }, 'GATEWAY_TO_CLIENT', true);
    p.s.rec.record({ direction: 'GATEWAY', eventType: 'mask.applied', body: maskDecision(e2) });
    p.server({ kind: 'CommandComplete', tag: 'SELECT 1' });
    p.result(1);
    p.ready();
    const { rows, finished } = project(rec.codec, p);
    expect(rows.get(e1)!.masking).toEqual([]);
    expect(rows.get(e2)).toMatchObject({ rows: 1, masking: ['public.customers.email:redact'] });
    expect(rows.get(e3)!.masking).toEqual([]);
    expect(finished.find((r) => r.seq === e2)?.masking).toEqual(['public.customers.email:redact']);
  });

  it('gives a masking summary without refSeq (older gateways) to the Execute whose result is arriving', () => {
    const p = session();
    const e1 = p.statement('a', 'SELECT 1');
    const e2 = p.statement('b', 'SELECT email FROM customers');
    const e3 = p.statement('c', 'SELECT 3');
    p.client({ kind: 'Sync' });
    p.result(1);
    p.server({ kind: 'ParseComplete' });
    p.server({ kind: 'BindComplete' });
    p.server({ kind: 'DataRow', values: [Buffer.from('[redacted]')] }, 'GATEWAY_TO_CLIENT', true);
    p.s.rec.record({ direction: 'GATEWAY', eventType: 'mask.applied', body: maskDecision(null) });
    p.server({ kind: 'CommandComplete', tag: 'SELECT 1' });
    p.result(2);
    p.ready();
    const { rows, finished } = project(rec.codec, p);
    expect(rows.get(e1)!.masking).toEqual([]);
    expect(rows.get(e2)).toMatchObject({ rows: 1, masking: ['public.customers.email:redact'] });
    expect(rows.get(e3)).toMatchObject({ rows: 2, masking: [] });
    expect(finished.find((r) => r.seq === e2)?.masking).toEqual(['public.customers.email:redact']);
  });

  it('shows a Parse blocked in the middle of a pipeline as blocked, with the gateway\'s answer, and the rest skipped', () => {
    const p = session();
    const e1 = p.statement('a', 'SELECT 1');
    const parse = p.client({ kind: 'Parse', statement: 'b', query: 'DROP TABLE customers', parameterTypes: [] });
    p.s.decision('policy.block', 'BLOCK', 'no-ddl/ddl', parse, 'DDL is not allowed');
    p.s.wire('GATEWAY_TO_UPSTREAM', 'db.frame', 'Describe', encodeFrontendMessage({ kind: 'Describe', target: 'S', name: 'tollgate_blocked_n0nce_1' }));
    p.client({ kind: 'Bind', portal: 'b', statement: 'b', parameterFormats: [], parameters: [], resultFormats: [] });
    const e2 = p.client({ kind: 'Execute', portal: 'b', maxRows: 0 });
    const e3 = p.statement('c', 'SELECT 3');
    p.client({ kind: 'Sync' });
    p.result(1);
    p.error('prepared statement "tollgate_blocked_n0nce_1" does not exist', '26000');
    p.error('DDL is not allowed', '42501', 'GATEWAY_TO_CLIENT');
    p.ready();
    const { rows } = project(rec.codec, p);
    expect(rows.get(e1)).toMatchObject({ outcome: 'ok', rows: 1 });
    expect(rows.get(e2)).toMatchObject({ statement: 'DROP TABLE customers', outcome: 'blocked', guardrail_action: 'BLOCK', guardrail_rule: 'no-ddl/ddl', error: 'DDL is not allowed' });
    expect(rows.get(e3)).toMatchObject({ statement: 'SELECT 3', outcome: 'skipped' });
    expect(rows.size).toBe(3);
  });

  it('sums the results of a multi-statement simple Query into its one row', () => {
    const p = session();
    const q = p.client({ kind: 'Query', sql: 'SELECT 1; SELECT 2 UNION SELECT 3' });
    p.server({ kind: 'RowDescription', fields: [] });
    p.server({ kind: 'DataRow', values: [Buffer.from('1')] });
    p.server({ kind: 'CommandComplete', tag: 'SELECT 1' });
    p.server({ kind: 'RowDescription', fields: [] });
    p.server({ kind: 'DataRow', values: [Buffer.from('2')] });
    p.server({ kind: 'DataRow', values: [Buffer.from('3')] });
    const c = p.server({ kind: 'CommandComplete', tag: 'SELECT 2' });
    rec.clock.advanceMs(4);
    p.ready();
    const { rows, tsOf } = project(rec.codec, p);
    expect([...rows.values()]).toEqual([expect.objectContaining({ seq: q, rows: 3, outcome: 'ok', duration_us: tsOf.get(c)! - tsOf.get(q)! })]);
  });

  it('keeps memory bounded when a client pipelines more Executes than it tracks, without throwing', () => {
    const p = session();
    p.client({ kind: 'Parse', statement: 's', query: 'SELECT 1', parameterTypes: [] });
    const executes: number[] = [];
    for (let i = 0; i < 5000; i++) {
      p.client({ kind: 'Bind', portal: '', statement: 's', parameterFormats: [], parameters: [], resultFormats: [] });
      executes.push(p.client({ kind: 'Execute', portal: '', maxRows: 0 }));
    }
    p.client({ kind: 'Sync' });
    p.server({ kind: 'ParseComplete' });
    for (let i = 0; i < 5000; i++) {
      p.server({ kind: 'BindComplete' });
      p.server({ kind: 'DataRow', values: [Buffer.from('1')] });
      p.server({ kind: 'CommandComplete', tag: 'SELECT 1' });
    }
    p.ready();
    const after = p.statement('z', 'SELECT 2');
    p.client({ kind: 'Sync' });
    p.result(2);
    p.ready();
    const { rows, finished } = project(rec.codec, p);
    expect(rows.size).toBe(5001);
    expect(rows.get(executes[0]!)).toMatchObject({ rows: 1, outcome: 'ok' });
    // Past the bound, rows are kept (and reach the rules) but their results are not attributed.
    expect(rows.get(executes[4999]!)).toMatchObject({ rows: 0, outcome: 'running' });
    expect(rows.get(after)).toMatchObject({ rows: 2, outcome: 'ok' });
    expect(finished).toHaveLength(5001);
  });

  it('keeps the single-statement fixture cases: results, errors, inline masking and gateway-answered blocks', () => {
    const p = session();
    const q1 = p.s.query('SELECT id FROM customers', { columns: ['id'], rows: [['1'], ['2']] });
    const q2 = p.s.query('SELECT nope', { error: 'column "nope" does not exist' });
    const q3 = p.s.query('DROP TABLE customers', { block: 'no-ddl/ddl' });
    const e1 = p.s.extended('SELECT email FROM customers WHERE id = $1', ['1'], { columns: ['email'], rows: [['a***@example.com']], maskedInline: 'customers.email' });
    const e2 = p.s.extended('TRUNCATE customers', [], { block: 'no-ddl/ddl' });
    const { rows, finished } = project(rec.codec, p);
    const brief = (r: QueryRow) => [r.seq, r.rows, r.outcome, r.error, r.guardrail_action, r.masking];
    expect([...rows.values()].sort((a, b) => a.seq - b.seq).map(brief)).toEqual([
      [q1, 2, 'ok', '', '', []],
      [q2, 0, 'error', 'column "nope" does not exist', '', []],
      [q3, 0, 'blocked', 'blocked by no-ddl/ddl', 'BLOCK', []],
      [e1, 1, 'ok', '', '', ['customers.email']],
      [e2, 0, 'blocked', 'blocked by no-ddl/ddl', 'BLOCK', []],
    ]);
    expect(finished.map(brief)).toEqual([...rows.values()].sort((a, b) => a.seq - b.seq).map(brief));
  });

  it('hands answered rows to the rules without waiting for a Sync that never comes (Flush only), and all rows at session end', () => {
    const p = session();
    const e1 = p.statement('a', 'SELECT email FROM customers');
    p.client({ kind: 'Flush' });
    p.result(2);
    const e2 = p.statement('b', 'SELECT card FROM customers');
    p.client({ kind: 'Flush' });
    const before = project(rec.codec, p);
    expect(before.finished.map((r) => [r.seq, r.rows, r.outcome])).toEqual([[e1, 2, 'ok']]);
    p.s.end('client vanished');
    const after = project(rec.codec, p);
    expect(after.finished.map((r) => [r.seq, r.statement, r.outcome])).toEqual([[e1, 'SELECT email FROM customers', 'ok'], [e2, 'SELECT card FROM customers', 'running']]);
  });
});

/** The masking summary the gateway records just before a result's CommandComplete. */
function maskDecision(refSeq: number | null) {
  return decisionBody('MASK', { rule: 'masking', reason: 'masked 1 value(s) in 1 row(s)', refSeq, details: { columns: 'public.customers.email:redact=1' } });
}

// Review findings: messages the server ignores must not stay queued, or later statements lose
// their rows and durations (a stale Sync hid a Query's result; the sequences of gateway.portal-masking.test.ts).
describe('PgQueryTracker with messages the server ignores', () => {
  it('marks Queries sent after an extended error and before its Sync skipped, and goes on', () => {
    const p = session();
    p.client({ kind: 'Parse', statement: '', query: 'SELEC bad', parameterTypes: [] });
    p.error('syntax error at or near "SELEC"', '42601');
    const q1 = p.client({ kind: 'Query', sql: 'SELECT 1' });
    const q2 = p.client({ kind: 'Query', sql: 'SELECT 2' });
    p.client({ kind: 'Sync' });
    p.ready();
    const e = p.statement('b', 'SELECT email FROM customers');
    p.client({ kind: 'Sync' });
    const c = p.result(2, 'SELECT 2', 5);
    p.ready();
    const { rows, tsOf } = project(rec.codec, p);
    expect(rows.get(q1)).toMatchObject({ outcome: 'skipped', rows: 0, duration_us: 0 });
    expect(rows.get(q2)).toMatchObject({ outcome: 'skipped', rows: 0, duration_us: 0 });
    expect(rows.get(e)).toMatchObject({ outcome: 'ok', rows: 2, duration_us: tsOf.get(c)! - tsOf.get(e)! });
  });

  it('does not wait for an answer to Syncs sent during COPY FROM STDIN, pipelined before the data or after CopyInResponse', () => {
    for (const waitForCopyIn of [false, true]) {
      const p = session();
      const copy = p.client({ kind: 'Query', sql: 'COPY t FROM STDIN' });
      const copyIn: BackendMessage = { kind: 'CopyInResponse', format: 0, columnFormats: [0] };
      if (waitForCopyIn) p.server(copyIn);
      p.client({ kind: 'Sync' });
      p.client({ kind: 'CopyDone' });
      p.client({ kind: 'Sync' });
      if (!waitForCopyIn) p.server(copyIn);
      p.server({ kind: 'CommandComplete', tag: 'COPY 0' });
      p.ready();
      p.ready();
      const q = p.client({ kind: 'Query', sql: 'SELECT email FROM customers' });
      p.server({ kind: 'RowDescription', fields: [{ name: 'email', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }] });
      p.server({ kind: 'DataRow', values: [Buffer.from('x')] });
      rec.clock.advanceMs(4);
      const c = p.server({ kind: 'CommandComplete', tag: 'SELECT 1' });
      p.ready();
      const { rows, tsOf } = project(rec.codec, p);
      expect(rows.get(copy)).toMatchObject({ outcome: 'ok', rows: 0 });
      expect(rows.get(q)).toMatchObject({ outcome: 'ok', rows: 1, duration_us: tsOf.get(c)! - tsOf.get(q)! });
    }
  });
});

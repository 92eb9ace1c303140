import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBackendMessage, encodeFrontendMessage, noticeFields } from '../../services/gateway/postgres/protocol/index.js';
import type { DecisionAction } from '../../services/core/events/types.js';
import type { StoredFrame } from '../model/stored-frame.js';
import { PgQueryTracker, type QuerySink } from './queries.js';
import type { QueryRow } from './rows.js';

// Frames in the order the PostgreSQL gateway records them (relay-session.ts): the masking summary
// precedes the result's CommandComplete, with refSeq = the Query or Execute it summarises (older
// gateways recorded none); a block forwards a probe upstream.
class Session {
  readonly frames: StoredFrame[] = [];
  private seq = 1;

  wire(direction: string, messageType: string, payload: Buffer, maskedInline = false): number {
    return this.push({ direction, messageType, payload, maskedInline });
  }

  decision(eventType: string, action: DecisionAction, rule: string, refSeq: number | null, details: Record<string, string> | Buffer = {}): number {
    const payload = Buffer.isBuffer(details) ? details : Buffer.from(JSON.stringify(details));
    return this.push({ direction: 'GATEWAY', eventType, messageType: '', payload, decisionAction: action, decisionRule: rule, decisionRefSeq: refSeq });
  }

  private push(p: Partial<StoredFrame>): number {
    const seq = this.seq++;
    this.frames.push({
      sessionId: 's1', seq, tsMicros: seq * 1000, protocol: 'POSTGRES', direction: '', eventType: 'db.frame', eventCode: 0, messageType: '',
      channel: null, payload: Buffer.alloc(0), maskedInline: false, truncated: false, originalLength: 0, decisionAction: '', decisionRule: '',
      decisionReason: '', decisionSubject: '', decisionRefSeq: null, logPartition: 0, logOffset: seq, ...p,
    });
    return seq;
  }
}

const query = (sql: string) => encodeFrontendMessage({ kind: 'Query', sql });
const error = (message: string, code = '42601') => encodeBackendMessage({ kind: 'ErrorResponse', fields: noticeFields({ severity: 'ERROR', code, message }) });
const ready = encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' });
const complete = (tag: string) => encodeBackendMessage({ kind: 'CommandComplete', tag });
const row = (...v: string[]) => encodeBackendMessage({ kind: 'DataRow', values: v.map((x) => Buffer.from(x)) });

function project(s: Session): QueryRow[] {
  const rows = new Map<number, QueryRow>();
  const sink: QuerySink = { row: (r) => rows.set(r.seq, { ...r, masking: [...r.masking] }), finished: () => undefined };
  const t = new PgQueryTracker(() => ({ session_id: 's1', subject: 'mia', connection: 'app' }));
  for (const f of s.frames) t.apply(f, sink);
  t.flushOpen(sink);
  return [...rows.values()].sort((a, b) => a.seq - b.seq);
}

function maskedSelect(s: Session, details: Record<string, string> | Buffer): void {
  s.wire('CLIENT_TO_GATEWAY', 'Query', query('SELECT email, card FROM customers'));
  s.wire('UPSTREAM_TO_GATEWAY', 'RowDescription', encodeBackendMessage({ kind: 'RowDescription', fields: [] }));
  s.wire('GATEWAY_TO_CLIENT', 'DataRow', row('a***@example.com', '[WITHHELD]'), true);
  s.wire('GATEWAY_TO_CLIENT', 'DataRow', row('b***@example.org', '[WITHHELD]'), true);
  s.decision('mask.applied', 'MASK', 'masking', null, details);
  s.wire('UPSTREAM_TO_GATEWAY', 'CommandComplete', complete('SELECT 2'));
  s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
}

describe('PgQueryTracker with gateway-recorded masking and blocks', () => {
  it('attaches a result-set masking summary without refSeq to the open statement, naming columns and detectors', () => {
    const s = new Session();
    maskedSelect(s, { rows: '2', values: '4', withheld: '0', columns: 'public.customers.email:hash=2,public.customers.card:redact=2', detectors: 'card=2' });
    s.wire('CLIENT_TO_GATEWAY', 'Query', query('SELECT 1'));
    s.wire('UPSTREAM_TO_GATEWAY', 'CommandComplete', complete('SELECT 1'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    const [masked, plain] = project(s);
    expect(masked).toMatchObject({ statement: 'SELECT email, card FROM customers', outcome: 'ok', rows: 2 });
    expect(masked!.masking).toEqual(['public.customers.email:hash', 'public.customers.card:redact', 'detector:card']);
    expect(plain!.masking).toEqual([]);
  });

  it('falls back to the rule for unreadable or empty details, and ignores a summary with no open statement', () => {
    for (const details of [Buffer.from('[WITHHELD]'), Buffer.from('{"columns":'), {}, Buffer.alloc(0)]) {
      const s = new Session();
      s.decision('mask.applied', 'MASK', 'masking', null, {});
      maskedSelect(s, details);
      const rows = project(s);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.masking).toEqual(['masking']);
    }
  });

  it('attaches masking by refSeq to the Execute it names when Executes are pipelined before one Sync', () => {
    const s = new Session();
    const fe = (m: Parameters<typeof encodeFrontendMessage>[0]) => encodeFrontendMessage(m);
    const pipeline = () => {
      s.wire('CLIENT_TO_GATEWAY', 'Parse', fe({ kind: 'Parse', statement: 'a', query: 'SELECT email FROM customers', parameterTypes: [] }));
      s.wire('CLIENT_TO_GATEWAY', 'Bind', fe({ kind: 'Bind', portal: 'pa', statement: 'a', parameterFormats: [], parameters: [], resultFormats: [] }));
      const first = s.wire('CLIENT_TO_GATEWAY', 'Execute', fe({ kind: 'Execute', portal: 'pa', maxRows: 0 }));
      s.wire('CLIENT_TO_GATEWAY', 'Parse', fe({ kind: 'Parse', statement: 'b', query: 'SELECT 2', parameterTypes: [] }));
      s.wire('CLIENT_TO_GATEWAY', 'Bind', fe({ kind: 'Bind', portal: 'pb', statement: 'b', parameterFormats: [], parameters: [], resultFormats: [] }));
      const second = s.wire('CLIENT_TO_GATEWAY', 'Execute', fe({ kind: 'Execute', portal: 'pb', maxRows: 0 }));
      s.wire('CLIENT_TO_GATEWAY', 'Sync', fe({ kind: 'Sync' }));
      s.wire('GATEWAY_TO_CLIENT', 'DataRow', row('[redacted]'), true);
      s.decision('mask.applied', 'MASK', 'masking', first, { columns: 'public.customers.email:redact=1' });
      s.wire('UPSTREAM_TO_GATEWAY', 'CommandComplete', complete('SELECT 1'));
      s.wire('UPSTREAM_TO_GATEWAY', 'DataRow', row('2'));
      s.wire('UPSTREAM_TO_GATEWAY', 'CommandComplete', complete('SELECT 1'));
      s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
      return [first, second] as const;
    };
    const [first, second] = pipeline();
    const rows = new Map(project(s).map((r) => [r.seq, r]));
    expect(rows.get(first)).toMatchObject({ statement: 'SELECT email FROM customers', masking: ['public.customers.email:redact'] });
    expect(rows.get(second)).toMatchObject({ statement: 'SELECT 2', masking: [] });
  });

  it('keeps the masking of a result that ended in an error', () => {
    const s = new Session();
    s.wire('CLIENT_TO_GATEWAY', 'Query', query('SELECT email, 1/0 FROM customers'));
    s.wire('GATEWAY_TO_CLIENT', 'DataRow', row('a***@example.com', '1'), true);
    s.decision('mask.withheld', 'WITHHOLD', 'masking', null, { columns: 'public.customers.email:withheld=1' });
    s.wire('UPSTREAM_TO_GATEWAY', 'ErrorResponse', error('division by zero', '22012'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    expect(project(s)).toEqual([expect.objectContaining({ outcome: 'error', error: 'division by zero', masking: ['public.customers.email:withheld'] })]);
  });

  it('shows a blocked simple Query once, with the rule and the answer the client saw, not the probe', () => {
    const s = new Session();
    const q = s.wire('CLIENT_TO_GATEWAY', 'Query', query('DROP TABLE customers'));
    s.decision('policy.block', 'BLOCK', 'no-ddl/ddl', q, { sqlstate: '42501' });
    s.wire('GATEWAY_TO_UPSTREAM', 'Query', query('tollgate_blocked_abc123_1'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ErrorResponse', error('syntax error at or near "tollgate_blocked_abc123_1"'));
    s.wire('GATEWAY_TO_CLIENT', 'ErrorResponse', error('DDL is not allowed', '42501'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    expect(project(s)).toEqual([expect.objectContaining({ seq: q, statement: 'DROP TABLE customers', outcome: 'blocked', guardrail_action: 'BLOCK', guardrail_rule: 'no-ddl/ddl', error: 'DDL is not allowed' })]);
  });

  it('shows a blocked Parse answered by a Describe probe as one blocked row', () => {
    const s = new Session();
    const p = s.wire('CLIENT_TO_GATEWAY', 'Parse', encodeFrontendMessage({ kind: 'Parse', statement: '', query: 'TRUNCATE customers', parameterTypes: [] }));
    s.decision('policy.block', 'BLOCK', 'no-ddl/ddl', p, { sqlstate: '42501' });
    s.wire('GATEWAY_TO_UPSTREAM', 'Describe', encodeFrontendMessage({ kind: 'Describe', target: 'S', name: 'tollgate_blocked_abc123_2' }));
    s.wire('CLIENT_TO_GATEWAY', 'Sync', encodeFrontendMessage({ kind: 'Sync' }));
    s.wire('UPSTREAM_TO_GATEWAY', 'ErrorResponse', error('prepared statement "tollgate_blocked_abc123_2" does not exist', '26000'));
    s.wire('GATEWAY_TO_CLIENT', 'ErrorResponse', error('DDL is not allowed', '42501'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    expect(project(s)).toEqual([expect.objectContaining({ seq: p, statement: 'TRUNCATE customers', outcome: 'blocked', guardrail_rule: 'no-ddl/ddl', error: 'DDL is not allowed' })]);
  });

  it('does not let a client hide its own failing statement behind the probe name', () => {
    const s = new Session();
    s.wire('CLIENT_TO_GATEWAY', 'Query', query('SELECT tollgate_blocked_x_1'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ErrorResponse', error('column "tollgate_blocked_x_1" does not exist', '42703'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    expect(project(s)).toEqual([expect.objectContaining({ outcome: 'error', error: 'column "tollgate_blocked_x_1" does not exist', guardrail_action: '' })]);
  });

  it('shows a Bind blocked in a batch as the blocked row of its Execute', () => {
    const s = new Session();
    s.wire('CLIENT_TO_GATEWAY', 'Parse', fe({ kind: 'Parse', statement: 'p', query: 'SELECT * FROM customers', parameterTypes: [] }));
    const bind = s.wire('CLIENT_TO_GATEWAY', 'Bind', fe({ kind: 'Bind', portal: '', statement: 'p', parameterFormats: [], parameters: [], resultFormats: [] }));
    s.decision('policy.block', 'BLOCK', 'read-only/statement', bind, { sqlstate: '42501' });
    s.wire('GATEWAY_TO_UPSTREAM', 'Describe', fe({ kind: 'Describe', target: 'S', name: 'tollgate_blocked_abc_3' }));
    const exec = s.wire('CLIENT_TO_GATEWAY', 'Execute', fe({ kind: 'Execute', portal: '', maxRows: 0 }));
    s.wire('CLIENT_TO_GATEWAY', 'Sync', fe({ kind: 'Sync' }));
    s.wire('UPSTREAM_TO_GATEWAY', 'ParseComplete', encodeBackendMessage({ kind: 'ParseComplete' }));
    s.wire('UPSTREAM_TO_GATEWAY', 'ErrorResponse', error('prepared statement "tollgate_blocked_abc_3" does not exist', '26000'));
    s.wire('GATEWAY_TO_CLIENT', 'ErrorResponse', error('not allowed here', '42501'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    expect(project(s)).toEqual([expect.objectContaining({ seq: exec, outcome: 'blocked', guardrail_action: 'BLOCK', guardrail_rule: 'read-only/statement', error: 'not allowed here' })]);
  });

  it('turns a COPY whose output the gateway withheld into an error row with the answer the client saw', () => {
    const s = new Session();
    const q = s.wire('CLIENT_TO_GATEWAY', 'Query', query('COPY customers TO STDOUT'));
    s.wire('UPSTREAM_TO_GATEWAY', 'CopyOutResponse', encodeBackendMessage({ kind: 'CopyOutResponse', format: 0, columnFormats: [0] }));
    s.decision('mask.withheld', 'WITHHOLD', 'masking/copy', q, {});
    s.wire('UPSTREAM_TO_GATEWAY', 'CommandComplete', complete('COPY 2'));
    s.wire('GATEWAY_TO_CLIENT', 'ErrorResponse', error('COPY output withheld by masking: customers.email', '42501'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    const { rows, finished } = projectWithRules(s);
    expect(rows).toEqual([expect.objectContaining({ outcome: 'error', error: 'COPY output withheld by masking: customers.email', masking: ['masking/copy'] })]);
    expect(finished).toEqual(rows);
  });

  it('skips the Executes a streaming client sends after the error of their batch was recorded, and tracks the next batch', () => {
    const s = new Session();
    s.wire('CLIENT_TO_GATEWAY', 'Parse', fe({ kind: 'Parse', statement: 'p', query: 'SELECT 1/0', parameterTypes: [] }));
    s.wire('CLIENT_TO_GATEWAY', 'Bind', fe({ kind: 'Bind', portal: '', statement: 'p', parameterFormats: [], parameters: [], resultFormats: [] }));
    const e1 = s.wire('CLIENT_TO_GATEWAY', 'Execute', fe({ kind: 'Execute', portal: '', maxRows: 0 }));
    s.wire('UPSTREAM_TO_GATEWAY', 'ParseComplete', encodeBackendMessage({ kind: 'ParseComplete' }));
    s.wire('UPSTREAM_TO_GATEWAY', 'BindComplete', encodeBackendMessage({ kind: 'BindComplete' }));
    s.wire('UPSTREAM_TO_GATEWAY', 'ErrorResponse', error('division by zero', '22012'));
    s.wire('CLIENT_TO_GATEWAY', 'Bind', fe({ kind: 'Bind', portal: '', statement: 'p', parameterFormats: [], parameters: [], resultFormats: [] }));
    const e2 = s.wire('CLIENT_TO_GATEWAY', 'Execute', fe({ kind: 'Execute', portal: '', maxRows: 0 }));
    const q = s.wire('CLIENT_TO_GATEWAY', 'Query', query('SELECT 5'));
    s.wire('CLIENT_TO_GATEWAY', 'Sync', fe({ kind: 'Sync' }));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    const after = s.wire('CLIENT_TO_GATEWAY', 'Query', query('SELECT 6'));
    s.wire('UPSTREAM_TO_GATEWAY', 'CommandComplete', complete('SELECT 1'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    expect(project(s).map((r) => [r.seq, r.outcome, r.error, r.rows])).toEqual([
      [e1, 'error', 'division by zero', 0], [e2, 'skipped', '', 0], [q, 'skipped', '', 0], [after, 'ok', '', 1],
    ]);
  });

  it('gives a Parse that failed without an Execute its own row, and skips the statements after it', () => {
    const s = new Session();
    const bad = s.wire('CLIENT_TO_GATEWAY', 'Parse', fe({ kind: 'Parse', statement: 'bad', query: 'SELEC 1', parameterTypes: [] }));
    s.wire('CLIENT_TO_GATEWAY', 'Parse', fe({ kind: 'Parse', statement: 'ok', query: 'SELECT 2', parameterTypes: [] }));
    s.wire('CLIENT_TO_GATEWAY', 'Bind', fe({ kind: 'Bind', portal: '', statement: 'ok', parameterFormats: [], parameters: [], resultFormats: [] }));
    const e = s.wire('CLIENT_TO_GATEWAY', 'Execute', fe({ kind: 'Execute', portal: '', maxRows: 0 }));
    s.wire('CLIENT_TO_GATEWAY', 'Sync', fe({ kind: 'Sync' }));
    s.wire('UPSTREAM_TO_GATEWAY', 'ErrorResponse', error('syntax error at or near "SELEC"'));
    s.wire('UPSTREAM_TO_GATEWAY', 'ReadyForQuery', ready);
    expect(project(s).map((r) => [r.seq, r.statement, r.outcome, r.error])).toEqual([
      [bad, 'SELEC 1', 'error', 'syntax error at or near "SELEC"'], [e, 'SELECT 2', 'skipped', ''],
    ]);
  });

  it('hands a row to the rules only at the ReadyForQuery that ends its batch, not at its CommandComplete', () => {
    const s = new Session();
    maskedSelect(s, { columns: 'public.customers.email:hash=2' });
    const finished: QueryRow[] = [];
    const t = new PgQueryTracker(() => ({ session_id: 's1', subject: 'mia', connection: 'app' }));
    const sink: QuerySink = { row: () => undefined, finished: (r) => finished.push({ ...r, masking: [...r.masking] }) };
    const frames = s.frames;
    for (const f of frames.slice(0, -1)) t.apply(f, sink);
    expect(finished).toEqual([]);
    t.apply(frames.at(-1)!, sink);
    expect(finished).toEqual([expect.objectContaining({ outcome: 'ok', rows: 2, masking: ['public.customers.email:hash'] })]);
  });

  it('never throws and keeps its bound on any order of recorded message kinds', () => {
    const kinds = fc.constantFrom(...FRONT, ...BACK, 'mask', 'block');
    fc.assert(fc.property(fc.array(kinds, { maxLength: 300 }), (script) => {
      const s = new Session();
      for (const k of script) scripted(s, k);
      const t = new PgQueryTracker(() => ({ session_id: 's1', subject: 'mia', connection: 'app' }));
      const finished: QueryRow[] = [];
      const sink: QuerySink = { row: () => undefined, finished: (r) => finished.push(r) };
      for (const f of s.frames) t.apply(f, sink);
      t.flushOpen(sink);
      // Below the bound, a row reaches the rules once, answered (or skipped), never still running.
      expect(new Set(finished.map((r) => r.seq)).size).toBe(finished.length);
      expect(finished.filter((r) => r.outcome === 'running')).toEqual([]);
    }), { numRuns: 300 });
  });
});

const fe = (m: Parameters<typeof encodeFrontendMessage>[0]) => encodeFrontendMessage(m);

function projectWithRules(s: Session): { rows: QueryRow[]; finished: QueryRow[] } {
  const finished: QueryRow[] = [];
  const rows = new Map<number, QueryRow>();
  const t = new PgQueryTracker(() => ({ session_id: 's1', subject: 'mia', connection: 'app' }));
  const sink: QuerySink = { row: (r) => rows.set(r.seq, { ...r, masking: [...r.masking] }), finished: (r) => finished.push({ ...r, masking: [...r.masking] }) };
  for (const f of s.frames) t.apply(f, sink);
  return { rows: [...rows.values()], finished };
}

const FRONT = ['Query', 'Parse', 'Bind', 'Describe', 'Execute', 'Sync', 'Close', 'FunctionCall', 'Flush'] as const;
const BACK = ['ParseComplete', 'BindComplete', 'RowDescription', 'NoData', 'DataRow', 'CommandComplete', 'PortalSuspended', 'EmptyQueryResponse', 'ErrorResponse', 'ErrorResponse!', 'ReadyForQuery', 'CloseComplete'] as const;

/** One recorded frame of the given kind ('ErrorResponse!' is the gateway's own answer, 'mask'/'block' decisions on the last frame). */
function scripted(s: Session, k: string): void {
  const last = s.frames.length;
  switch (k) {
    case 'Query': s.wire('CLIENT_TO_GATEWAY', k, query('SELECT 1')); return;
    case 'Parse': s.wire('CLIENT_TO_GATEWAY', k, fe({ kind: 'Parse', statement: 'p', query: 'SELECT 1', parameterTypes: [] })); return;
    case 'Bind': s.wire('CLIENT_TO_GATEWAY', k, fe({ kind: 'Bind', portal: '', statement: 'p', parameterFormats: [], parameters: [], resultFormats: [] })); return;
    case 'Describe': s.wire('CLIENT_TO_GATEWAY', k, fe({ kind: 'Describe', target: 'P', name: '' })); return;
    case 'Execute': s.wire('CLIENT_TO_GATEWAY', k, fe({ kind: 'Execute', portal: '', maxRows: 0 })); return;
    case 'Close': s.wire('CLIENT_TO_GATEWAY', k, fe({ kind: 'Close', target: 'P', name: '' })); return;
    case 'Sync': case 'Flush': s.wire('CLIENT_TO_GATEWAY', k, fe({ kind: k })); return;
    case 'FunctionCall': s.wire('CLIENT_TO_GATEWAY', k, fe({ kind: 'FunctionCall', functionOid: 1, argumentFormats: [], arguments: [], resultFormat: 0 })); return;
    case 'DataRow': s.wire('UPSTREAM_TO_GATEWAY', k, row('1')); return;
    case 'CommandComplete': s.wire('UPSTREAM_TO_GATEWAY', k, complete('SELECT 1')); return;
    case 'ErrorResponse': s.wire('UPSTREAM_TO_GATEWAY', k, error('boom')); return;
    case 'ErrorResponse!': s.wire('GATEWAY_TO_CLIENT', 'ErrorResponse', error('refused', '42501')); return;
    case 'ReadyForQuery': s.wire('UPSTREAM_TO_GATEWAY', k, ready); return;
    case 'RowDescription': s.wire('UPSTREAM_TO_GATEWAY', k, encodeBackendMessage({ kind: 'RowDescription', fields: [] })); return;
    case 'mask': s.decision('mask.applied', 'MASK', 'masking', last % 2 === 0 ? last : null, { columns: 'a.b.c:redact=1' }); return;
    case 'block': s.decision('policy.block', 'BLOCK', 'r', last, {}); return;
    default: s.wire('UPSTREAM_TO_GATEWAY', k, encodeBackendMessage({ kind: k as 'ParseComplete' }));
  }
}

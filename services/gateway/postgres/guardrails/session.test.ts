import { beforeAll, describe, expect, it } from 'vitest';
import { compileGuardrails } from './compile.js';
import type { Decision } from './decision.js';
import { loadGuardrailParser } from './parser.js';
import type { ProfileName } from './profiles.js';
import { GuardrailSession } from './session.js';

// Statements whose meaning depends on the session: EXECUTE runs what PREPARE (or a named Parse)
// defined earlier, so the session must remember exactly what the server holds.
beforeAll(async () => {
  await loadGuardrailParser();
});

function session(profiles: ProfileName[], mode: 'enforce' | 'observe' = 'enforce', maxPrepared?: number): GuardrailSession {
  const g = compileGuardrails(profiles, [], { mode });
  return new GuardrailSession(g, {
    functionCallAllowlist: new Map([
      [870, 'pg_catalog.lower'],
      [3826, 'pg_catalog.pg_read_file'],
    ]),
    ...(maxPrepared === undefined ? {} : { maxPrepared }),
  });
}

function rule(d: Decision): string {
  return d.action === 'allow' ? 'allow' : `${d.action}:${d.ruleId}`;
}

describe('SQL PREPARE / EXECUTE', () => {
  it('judges EXECUTE by what was prepared', () => {
    const s = session(['no-ddl']);
    expect(rule(s.judgeQuery('PREPARE p AS DELETE FROM t WHERE id = $1'))).toBe('allow');
    expect(rule(s.judgeQuery('EXECUTE p(1)'))).toBe('allow');
  });

  it('a blocked PREPARE is not remembered, so its EXECUTE is denied as unknown', () => {
    const s = session(['no-unbounded-writes']);
    expect(rule(s.judgeQuery('PREPARE p AS DELETE FROM t'))).toBe('block:no-unbounded-writes/unbounded-write');
    expect(rule(s.judgeQuery('EXECUTE p'))).toBe('block:unclassifiable/unknown-prepared');
  });

  it('PREPARE and EXECUTE in one query text are judged together', () => {
    const s = session(['read-only']);
    expect(rule(s.judgeQuery('PREPARE p AS SELECT 1; EXECUTE p'))).toBe('allow');
    expect(rule(s.judgeQuery('PREPARE w AS DELETE FROM t WHERE id = 1; EXECUTE w'))).toBe('block:read-only/write');
  });

  it('follows EXECUTE inside EXPLAIN ANALYZE and CREATE TABLE AS', () => {
    const s = session(['no-unbounded-writes']);
    s.judgeQuery('PREPARE ok AS SELECT 1');
    expect(rule(s.judgeQuery('EXPLAIN ANALYZE EXECUTE ok'))).toBe('allow');
    expect(rule(s.judgeQuery('EXPLAIN ANALYZE EXECUTE missing'))).toBe('block:unclassifiable/unknown-prepared');
    expect(rule(s.judgeQuery('CREATE TABLE c AS EXECUTE missing'))).toBe('block:unclassifiable/unknown-prepared');
  });

  it('EXECUTE of a statement never prepared here is denied', () => {
    expect(rule(session(['read-only']).judgeQuery('EXECUTE ghost'))).toBe('block:unclassifiable/unknown-prepared');
  });

  it('checks the parameters of EXECUTE too', () => {
    const s = session(['read-only']);
    s.judgeQuery('PREPARE q AS SELECT $1::text');
    expect(rule(s.judgeQuery("EXECUTE q(pg_read_file('/etc/passwd'))"))).toBe('block:read-only/server-files');
  });

  it('DEALLOCATE, DEALLOCATE ALL and DISCARD ALL forget prepared statements', () => {
    const s = session(['read-only']);
    s.judgeQuery('PREPARE a AS SELECT 1; PREPARE b AS SELECT 2; PREPARE c AS SELECT 3');
    expect(s.preparedCount).toBe(3);
    s.judgeQuery('DEALLOCATE a');
    expect(rule(s.judgeQuery('EXECUTE a'))).toBe('block:unclassifiable/unknown-prepared');
    expect(rule(s.judgeQuery('EXECUTE b'))).toBe('allow');
    s.judgeQuery('DEALLOCATE ALL');
    expect(s.preparedCount).toBe(0);
    s.judgeQuery('PREPARE d AS SELECT 4');
    s.judgeQuery('DISCARD ALL');
    expect(rule(s.judgeQuery('EXECUTE d'))).toBe('block:unclassifiable/unknown-prepared');
  });

  it('forgets the least recently used statement past the bound and then denies it', () => {
    const s = session(['read-only'], 'enforce', 2);
    s.judgeQuery('PREPARE a AS SELECT 1');
    s.judgeQuery('PREPARE b AS SELECT 2');
    s.judgeQuery('PREPARE c AS SELECT 3');
    expect(s.preparedCount).toBe(2);
    expect(rule(s.judgeQuery('EXECUTE a'))).toBe('block:unclassifiable/unknown-prepared');
    expect(rule(s.judgeQuery('EXECUTE c'))).toBe('allow');
  });
});

describe('extended protocol Parse / Bind', () => {
  it('remembers a named Parse and judges its execution by it', () => {
    const s = session(['read-only']);
    expect(rule(s.judgeParse('s1', 'SELECT abalance FROM pgbench_accounts WHERE aid = $1'))).toBe('allow');
    expect(rule(s.judgeExecute('s1'))).toBe('allow');
    expect(rule(s.judgeParse('s2', 'UPDATE t SET a = $1 WHERE id = $2'))).toBe('block:read-only/write');
    expect(rule(s.judgeExecute('s2'))).toBe('block:unclassifiable/unknown-prepared');
  });

  it('shares one namespace with SQL PREPARE, as PostgreSQL does', () => {
    const s = session(['read-only'], 'observe');
    expect(rule(s.judgeParse('w', 'DELETE FROM t WHERE id = 1'))).toBe('observe:read-only/write');
    expect(rule(s.judgeQuery('EXECUTE w'))).toBe('observe:read-only/write');
    s.judgeQuery('DEALLOCATE w');
    expect(rule(s.judgeExecute('w'))).toBe('observe:unclassifiable/unknown-prepared');
  });

  it('keeps the previous unnamed statement when a new one is blocked, like the server does', () => {
    const s = session(['read-only']);
    s.judgeParse('', 'SELECT 1');
    expect(rule(s.judgeParse('', 'DELETE FROM t WHERE id = 1'))).toBe('block:read-only/write');
    expect(rule(s.judgeExecute(''))).toBe('allow');
    s.closeStatement('');
    expect(rule(s.judgeExecute(''))).toBe('block:unclassifiable/unknown-prepared');
  });

  it('Close forgets a named statement', () => {
    const s = session(['read-only']);
    s.judgeParse('s', 'SELECT 1');
    s.closeStatement('s');
    expect(rule(s.judgeExecute('s'))).toBe('block:unclassifiable/unknown-prepared');
  });

  it('judges a Parse whose text is garbage as a syntax error', () => {
    const d = session(['read-only']).judgeParse('x', 'SELEC 1');
    expect(d.action === 'block' && d.sqlstate).toBe('42601');
  });
});

describe('FunctionCall messages', () => {
  it('denies an OID that is not allowlisted', () => {
    expect(rule(session(['read-only']).judgeFunctionCall(1))).toBe('block:function-call/not-allowlisted');
  });

  it('judges an allowlisted OID as a call of the function it names', () => {
    const s = session(['read-only']);
    expect(rule(s.judgeFunctionCall(870))).toBe('allow');
    expect(rule(s.judgeFunctionCall(3826))).toBe('block:read-only/server-files');
  });

  it('allows anything for an unguarded role', () => {
    const s = new GuardrailSession(compileGuardrails([]));
    expect(rule(s.judgeFunctionCall(1))).toBe('allow');
    expect(rule(s.judgeExecute('never-parsed'))).toBe('allow');
    expect(rule(s.judgeQuery('garbage ('))).toBe('allow');
    expect(rule(s.judgeParse('x', 'DROP TABLE t'))).toBe('allow');
  });
});

import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../../core/errors.js';
import { compileGuardrails } from './compile.js';
import type { Decision } from './decision.js';
import { loadGuardrailParser } from './parser.js';

// The compiled decision function: bad and oversized input, modes, the cache, and a policy's own rules.
await loadGuardrailParser();

function rule(d: Decision): string {
  return d.action === 'allow' ? 'allow' : `${d.action}:${d.ruleId}`;
}

describe('input the parser must never see or cannot take', () => {
  const g = compileGuardrails(['read-only'], [], { maxStatementBytes: 100 });

  it('refuses text over the limit without parsing it', () => {
    const d = g(`SELECT '${'x'.repeat(200)}'`);
    expect(rule(d)).toBe('block:parse/too-large');
    expect(d.action === 'block' && d.sqlstate).toBe('54000');
  });

  it('measures the limit in UTF-8 bytes, not characters', () => {
    expect(rule(g(`SELECT '${'€'.repeat(40)}'`))).toBe('block:parse/too-large');
    expect(rule(g(`SELECT '${'e'.repeat(40)}'`))).toBe('allow');
  });

  it('refuses NUL bytes, which would hide the rest of the text from the parser', () => {
    const d = g('SELECT 1;\u0000DROP TABLE t');
    expect(rule(d)).toBe('block:parse/null-byte');
    expect(d.action === 'block' && d.sqlstate).toBe('22021');
  });

  it('answers garbage with a syntax error decision', () => {
    for (const text of ['SELEC 1', ')))', "SELECT 'x", 'SELECT $$x', '/* unterminated', '\u00ff\u00fe', 'SELECT 1 +']) {
      const d = g(text);
      expect(rule(d)).toBe('block:parse/syntax');
      expect(d.action === 'block' && d.sqlstate).toBe('42601');
    }
  });

  it('decides deeply nested input without crashing', () => {
    const big = compileGuardrails(['read-only']);
    // Redundant parentheses vanish in the parse tree: nothing deep is left to judge.
    expect(rule(big(`SELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`))).toBe('allow');
    expect(rule(big(`SELECT ${'1+'.repeat(20000)}1`))).toBe('block:parse/too-complex');
    expect(rule(big(`SELECT ${'lower('.repeat(600)}'a'${')'.repeat(600)}`))).toBe('block:unclassifiable/too-deep');
    expect(rule(big(`SELECT ${'ARRAY['.repeat(600)}1${']'.repeat(600)}`))).toBe('block:unclassifiable/too-deep');
    // Deeper still, the parser itself gives up ("memory exhausted"): still a decision, not a crash.
    expect(big(`SELECT ${'lower('.repeat(5000)}'a'${')'.repeat(5000)}`).action).toBe('block');
    // Ordinary long expressions are well inside the limit.
    expect(rule(big(`SELECT ${"'a' || ".repeat(500)}'b'`))).toBe('allow');
  });
});

describe('modes and the unguarded case', () => {
  it('observe mode lets the statement run but reports the rule that would block it', () => {
    const g = compileGuardrails(['read-only'], [], { mode: 'observe' });
    const d = g('DELETE FROM t WHERE id = 1');
    expect(d).toMatchObject({ action: 'observe', ruleId: 'read-only/write', sqlstate: '42501' });
    expect(d.action !== 'allow' && d.message).toContain('read-only/write');
  });

  it('no profiles and no rules means unguarded: everything passes unparsed', () => {
    const g = compileGuardrails([]);
    expect(g.guarded).toBe(false);
    expect(rule(g('DROP TABLE t; garbage'))).toBe('allow');
  });
});

describe('the classification cache', () => {
  it('parses a repeated text once', () => {
    const g = compileGuardrails(['read-only']);
    for (let i = 0; i < 5; i++) g('SELECT abalance FROM pgbench_accounts WHERE aid = $1');
    expect(g.cacheStats()).toMatchObject({ misses: 1, hits: 4, size: 1 });
  });

  it('stays within its bound and skips long texts', () => {
    const g = compileGuardrails(['read-only'], [], { cacheEntries: 3, cacheMaxTextLength: 40 });
    for (let i = 0; i < 10; i++) g(`SELECT ${i}`);
    expect(g.cacheStats().size).toBe(3);
    g(`SELECT '${'x'.repeat(100)}'`);
    g(`SELECT '${'x'.repeat(100)}'`);
    expect(g.cacheStats().size).toBe(3);
  });

  it('caches rejections too, and the cached decision equals the fresh one', () => {
    const g = compileGuardrails(['read-only']);
    const first = g('SELEC 1');
    expect(g('SELEC 1')).toEqual(first);
    expect(g.cacheStats().hits).toBe(1);
  });
});

describe("a policy's own rules", () => {
  const rules = [
    {
      id: 'acme',
      denyFunctions: ['pg_sleep', 'util.*'],
      denyTables: ['secrets.*', 'payroll'],
      requireWhere: ['accounts'],
      denySettings: ['app.tenant_id'],
      denyKinds: ['notify'],
      maxStatements: 2,
    },
    { id: 'acme-reports', allowFunctions: ['reports.monthly_total'] },
  ];
  const g = compileGuardrails(['no-ddl'], rules);
  const ro = compileGuardrails(['read-only'], rules);

  it.each([
    ['SELECT pg_sleep(10)', 'block:acme/function'],
    ['SELECT pg_catalog.pg_sleep(10)', 'block:acme/function'],
    ['SELECT util.anything()', 'block:acme/function'],
    ['SELECT * FROM secrets.keys', 'block:acme/table'],
    ['SELECT * FROM hr.payroll', 'block:acme/table'],
    ['WITH x AS (SELECT * FROM payroll) SELECT 1', 'block:acme/table'],
    ['UPDATE accounts SET balance = 0', 'block:acme/require-where'],
    ['DELETE FROM public.accounts WHERE true', 'block:acme/require-where'],
    ['TRUNCATE accounts', 'block:acme/require-where'],
    ["SET app.tenant_id = '2'", 'block:acme/setting'],
    ["SELECT set_config('app.tenant_id', '2', false)", 'block:acme/setting'],
    ['RESET app.tenant_id', 'block:acme/setting'],
    ["NOTIFY c, 'x'", 'block:acme/notify'],
    ['SELECT 1; SELECT 2; SELECT 3', 'block:acme/max-statements'],
    ['CREATE TABLE x (a int)', 'block:no-ddl/ddl'],
  ])('%s -> %s', (sql, expected) => {
    expect(rule(g(sql))).toBe(expected);
  });

  it.each([
    'UPDATE accounts SET balance = 0 WHERE id = $1',
    'UPDATE orders SET x = 1',
    'SELECT * FROM public.secrets',
    "SET app.locale = 'fr'",
    'SELECT 1; SELECT 2',
  ])('allows %s', (sql) => {
    expect(rule(g(sql))).toBe('allow');
  });

  it('allowFunctions lets read-only call a function the policy vouches for, and only that one', () => {
    expect(rule(ro('SELECT reports.monthly_total(2024)'))).toBe('allow');
    expect(rule(ro('SELECT monthly_total(2024)'))).toBe('allow');
    expect(rule(ro('SELECT other.monthly_total(2024)'))).toBe('block:read-only/unknown-function');
  });
});

describe('configuration errors', () => {
  it('rejects an unknown profile name', () => {
    expect(() => compileGuardrails(['read-only', 'nope' as 'read-only'])).toThrow(/unknown guardrail profile/);
  });

  it('reports every bad field of custom rules in one error', () => {
    try {
      compileGuardrails([], [{ id: 'Bad Id', denyKinds: ['explode'], denyTables: ['a b'], extra: 1 }]);
      expect.unreachable();
    } catch (err) {
      expect(isTollgateError(err, 'TG_ERR_CONFIG')).toBe(true);
      const message = (err as Error).message;
      for (const field of ['id', 'denyKinds', 'denyTables']) expect(message).toContain(`rules.0.${field}`);
      expect(message).toMatch(/extra/);
    }
  });

  it('rejects duplicate rule ids and non-array input', () => {
    expect(() => compileGuardrails([], [{ id: 'a' }, { id: 'a' }])).toThrow(/used twice/);
    expect(() => compileGuardrails([], { id: 'a' })).toThrow(/invalid/);
  });
});

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileGuardrails, GuardrailSession, loadGuardrailParser } from './guardrails/index.js';
import { AllowedShapes, MAX_SHAPE_TEXT, selectShapeKey } from './select-shape.js';

beforeAll(async () => {
  await loadGuardrailParser();
});

describe('selectShapeKey', () => {
  it('gives SELECTs that differ only in a compared integer one key, other texts others', () => {
    const a = selectShapeKey('SELECT abalance FROM pgbench_accounts WHERE aid = 12345;');
    expect(a).toBeDefined();
    expect(selectShapeKey('SELECT abalance FROM pgbench_accounts WHERE aid = 7;')).toBe(a);
    expect(selectShapeKey('SELECT  abalance\nFROM pgbench_accounts WHERE aid=99999999999999999999999')).toBe(a);
    expect(selectShapeKey('SELECT abalance FROM pgbench_accounts WHERE bid = 7;')).not.toBe(a);
    expect(selectShapeKey('SELECT abalance FROM pgbench_accounts WHERE aid < 7;')).not.toBe(a);
    expect(selectShapeKey('SELECT abalance FROM pgbench_tellers WHERE aid = 7;')).not.toBe(a);
  });

  it('keeps integers that are not a column compared with a value', () => {
    // Constant-only arms are what the unbounded-write check reads: they must stay in the key.
    expect(selectShapeKey('SELECT a FROM t WHERE 1 = 1')).not.toBe(selectShapeKey('SELECT a FROM t WHERE 1 = 2'));
    expect(selectShapeKey('SELECT a FROM t LIMIT 1')).not.toBe(selectShapeKey('SELECT a FROM t LIMIT 2'));
    expect(selectShapeKey('SELECT 1')).not.toBe(selectShapeKey('SELECT 2'));
    expect(selectShapeKey('SELECT a FROM t WHERE a = 1 = 2')).not.toBe(selectShapeKey('SELECT a FROM t WHERE a = 1 = 3'));
  });

  it('refuses every construct through which a literal can reach a guardrail', () => {
    for (const sql of [
      "SELECT a FROM t WHERE b = 'x'", 'SELECT a FROM t WHERE b = "x"', 'SELECT set_config(a, b, c) FROM t',
      'SELECT a FROM t WHERE b = 1::regclass', 'SELECT a FROM t WHERE b = $1', 'SELECT a FROM t WHERE b = $$x$$',
      'SELECT a FROM t WHERE b = 1 -- c', 'SELECT a FROM t WHERE b = 1 /* c */', 'SELECT a FROM t WHERE b = -1',
      'SELECT a FROM t WHERE b = 1.5', 'SELECT a FROM t WHERE b = 1e5', 'SELECT a FROM t WHERE b = 0x1f',
      'SELECT a FROM t WHERE b = 1_000', 'SELECT a FROM t WHERE b = 1abc', 'SELECT a FROM t WHERE b = t.1',
      'SELECT a FROM t WHERE b = 1; DELETE FROM t', 'SELECT a FROM t WHERE b = 1;;', 'SELECT a FROM t WHERE b = 1; SELECT 1',
      'DELETE FROM t WHERE b = 1', 'UPDATE t SET a = 1 WHERE b = 2', 'SET default_transaction_read_only = 0',
      'WITH x AS (DELETE FROM t) SELECT 1', 'TABLE t', 'EXECUTE p', 'selectx a FROM t WHERE b = 1', '',
      'SELECT a FROM t WHERE b = 1 | 2', 'SELECT a FROM t WHERE b = 1 + 2', 'SELECT a FROM t WHERE b @> 1',
      'SELECT a FROM t WHERE b = E\'\\x41\'', 'SELECT a FROM t WHERE b = U&"x"', 'SELECT a FROM t WHERE b = ١',
      'SELECT a FROM t WHERE b = 1\u0000', `SELECT a FROM t WHERE b = 1${' '.repeat(MAX_SHAPE_TEXT)}`,
    ]) {
      expect(selectShapeKey(sql), sql).toBeUndefined();
    }
  });

  it('splits operator characters as PostgreSQL does, so a custom operator is not a comparison', () => {
    // `=*` and `*=` are one (user-definable) operator each: the integer after them stays in the key.
    expect(selectShapeKey('SELECT a FROM t WHERE b =* 1')).not.toBe(selectShapeKey('SELECT a FROM t WHERE b =* 2'));
    expect(selectShapeKey('SELECT a FROM t WHERE b *= 1')).not.toBe(selectShapeKey('SELECT a FROM t WHERE b * = 1'));
    expect(selectShapeKey('SELECT a FROM t WHERE b <> 1')).not.toBe(selectShapeKey('SELECT a FROM t WHERE b < > 1'));
  });

  it('gives texts with one key the same decision under every profile (generated SELECTs)', () => {
    const all = compileGuardrails(['read-only', 'no-ddl', 'no-unbounded-writes', 'no-privilege-change', 'no-server-files', 'no-catalog-secrets']);
    const word = fc.constantFrom('a', 'b', 'oid', 'rolpassword', 'true', 'null', 'select', 'from', 'where', 'into', 'for', 'update', 'and', 'or', 'not', 'pg_authid', 'pg_shadow', 't', 'limit', 'union');
    const token = fc.oneof(word, fc.constantFrom('=', '<', '>', '<=', '>=', '<>', '*', ',', '.', '=*'), fc.integer({ min: 0, max: 3 }).map(String));
    const text = fc.array(token, { maxLength: 12 }).map((ts) => `SELECT ${ts.join(' ')}`);
    fc.assert(fc.property(text, fc.integer({ min: 0, max: 1_000_000 }), (sql, other) => {
      const key = selectShapeKey(sql);
      if (key === undefined) return;
      // Replace every normalised integer by another value, then check key and decision agree.
      const parts = sql.split(' ');
      const tokens = key.split(' ');
      const variant = parts.map((p, i) => (tokens[i] === '?' ? String(other) : p)).join(' ');
      expect(selectShapeKey(variant)).toBe(key);
      const d1 = new GuardrailSession(all).judgeQuery(sql);
      const d2 = new GuardrailSession(all).judgeQuery(variant);
      expect(d2.action).toBe(d1.action);
    }), { numRuns: 400 });
  });

  it('gets the same decisions as the guardrails for hand-picked dangerous neighbours of an allowed shape', () => {
    const readOnly = compileGuardrails(['read-only', 'no-catalog-secrets']);
    const allowed = 'SELECT abalance FROM pgbench_accounts WHERE aid = 1';
    expect(new GuardrailSession(readOnly).judgeQuery(allowed).action).toBe('allow');
    for (const sql of [
      'SELECT rolpassword FROM pg_authid WHERE oid = 1',
      'SELECT abalance INTO x FROM pgbench_accounts WHERE aid = 1',
      'SELECT abalance FROM pgbench_accounts WHERE aid = 1 FOR UPDATE',
    ]) {
      const key = selectShapeKey(sql);
      expect(key).not.toBe(selectShapeKey(allowed));
      expect(new GuardrailSession(readOnly).judgeQuery(sql).action, sql).toBe('block');
    }
  });
});

describe('AllowedShapes', () => {
  it('is bounded and forgets the oldest shape first', () => {
    const s = new AllowedShapes(2);
    s.add('a');
    s.add('b');
    s.add('a');
    s.add('c');
    expect(s.size).toBe(2);
    expect(s.has('a')).toBe(false);
    expect(s.has('b') && s.has('c')).toBe(true);
  });
});

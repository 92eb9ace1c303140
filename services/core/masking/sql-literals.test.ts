import { describe, expect, it } from 'vitest';
import { compileDetectors } from './detector-set.js';
import { decodeEscapeString, maskSqlLiterals } from './sql-literals.js';

const all = compileDetectors(['all']);
const mask = (sql: string, strict = false): string => maskSqlLiterals(sql, all, { strict }).text;

describe('maskSqlLiterals', () => {
  it('masks detector matches inside string literals', () => {
    expect(mask("INSERT INTO users VALUES ('alice@example.com', '4111 1111 1111 1111')")).toBe(
      "INSERT INTO users VALUES ('****@****', '**** **** **** 1111')",
    );
  });

  it("handles '' escapes: the quote stays a quote and the value is re-escaped", () => {
    expect(mask("SELECT 'it''s alice@example.com'")).toBe("SELECT 'it''s ****@****'");
  });

  it('decodes E-strings before detection (hex escapes cannot hide a key id)', () => {
    const hidden = "SELECT E'\\x41KIAIOSFODNN7EXAMPLE'";
    const out = mask(hidden);
    expect(out).toBe("SELECT E'[REDACTED:aws-key-id]'");
    expect(decodeEscapeString("a\\'b''c\\n\\101\\u0042")).toBe("a'b'c\nAB");
  });

  it('dollar-quoted bodies, tagged or not', () => {
    expect(mask("SELECT $$card 4111111111111111$$, $t$x@y.io$t$")).toBe('SELECT $$card ************1111$$, $t$****@****$t$');
  });

  it('leaves positional parameters and identifiers with $ alone', () => {
    const sql = 'SELECT a$b FROM t WHERE id = $1 AND x = $2';
    expect(mask(sql)).toBe(sql);
  });

  it('numeric literals of card and SSN shape, but not other numbers', () => {
    expect(mask('SELECT * FROM p WHERE pan = 4111111111111111 AND n = 12345')).toBe('SELECT * FROM p WHERE pan = ************1111 AND n = 12345');
    expect(mask('DELETE FROM p WHERE ssn = 123456789')).toBe('DELETE FROM p WHERE ssn = ***-**-****');
  });

  it('literals assigned to secret-named columns, and role passwords', () => {
    expect(mask("UPDATE users SET password = 'hunter2' WHERE id = 1")).toBe("UPDATE users SET password = '[REDACTED:secret-kv]' WHERE id = 1");
    expect(mask("SELECT 1 FROM keys WHERE \"ApiToken\" = 'abc'")).toBe("SELECT 1 FROM keys WHERE \"ApiToken\" = '[REDACTED:secret-kv]'");
    expect(mask("ALTER ROLE app WITH PASSWORD 'hunter2'")).toBe("ALTER ROLE app WITH PASSWORD '[REDACTED:secret-kv]'");
    expect(mask("CREATE USER 'u'@'%' IDENTIFIED BY 'pw'")).toBe("CREATE USER 'u'@'%' IDENTIFIED BY '[REDACTED:secret-kv]'");
    expect(mask("UPDATE t SET name = 'bob'")).toBe("UPDATE t SET name = 'bob'");
  });

  it('quotes inside comments do not open literals; comments still go through the detectors', () => {
    expect(mask("SELECT 1 -- don't mail alice@example.com\n, 'x'")).toBe("SELECT 1 -- don't mail ****@****\n, 'x'");
    expect(mask("SELECT /* it's /* nested */ bob@x.io */ 'ok'")).toBe("SELECT /* it's /* nested */ ****@**** */ 'ok'");
  });

  it('strict mode replaces every literal, like a fingerprint', () => {
    expect(mask("SELECT * FROM t WHERE a = 'x' AND b = 42 AND c = $$y$$ AND d = E'z' AND e = 1.5e3", true)).toBe(
      'SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ?',
    );
    expect(mask('SELECT t1.c2 FROM t1', true)).toBe('SELECT t1.c2 FROM t1');
  });

  it('an unterminated literal (truncated statement) is still masked', () => {
    expect(mask("INSERT INTO t VALUES ('alice@example.com")).toBe("INSERT INTO t VALUES ('****@****");
    expect(mask("INSERT INTO t VALUES ('alice@example.com", true)).toBe('INSERT INTO t VALUES (?');
    expect(mask('SELECT $$ 4111111111111111')).toBe('SELECT $$ ************1111');
  });

  it('reports findings with positions in the statement', () => {
    const sql = "SELECT 'a@b.co' -- c@d.io";
    const f = maskSqlLiterals(sql, all).findings;
    expect(f.map((x) => [x.detector, sql.slice(x.start, x.end)])).toEqual([
      ['email', "'a@b.co'"],
      ['email', 'c@d.io'],
    ]);
  });

  it('garbage input never throws', () => {
    for (const s of ["'", "E'\\", '$a$', '/*', '"', "U&'x", "x'", "b'0101'", '\u0000\'\ud800\'']) {
      expect(typeof mask(s)).toBe('string');
      expect(typeof mask(s, true)).toBe('string');
    }
  });
});

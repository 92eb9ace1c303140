import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { assertReadOnlyStatement } from './readonly-guard.js';

/** Short strings rich in quotes, escapes, comment and statement markers, and non-ASCII. */
const sqlText = fc.string({ unit: fc.oneof(
  fc.constantFrom("'", '"', '`', '\\', ';', '\n', '\r', '\t', '\0', '-', '/', '*', '#', '(', ')', '$', 'é', '🦀', '\u2028', ' '),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
), maxLength: 80 });

const refusedCode = (sql: string): string | undefined => {
  try {
    assertReadOnlyStatement(sql);
    return undefined;
  } catch (err) {
    return isTollgateError(err) ? err.code : 'not a TollgateError';
  }
};

describe('assertReadOnlyStatement', () => {
  it.each([
    'SELECT * FROM sessions FINAL WHERE subject = {s:String}',
    'with x AS (SELECT 1) SELECT * FROM x',
    '(SELECT 1) UNION ALL (SELECT 2)',
    'SHOW TABLES',
    'DESCRIBE TABLE frames',
    'EXPLAIN SELECT 1',
    'SELECT 1;',
    "SELECT profile, filename, 'a;b' FROM t -- trailing; comment",
    "SELECT 'a\\' ; KILL QUERY WHERE 1 ; '", // one literal: the escaped quote keeps it open
  ])('admits %s', (sql) => {
    expect(refusedCode(sql)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ["INSERT INTO frames VALUES ('x')", 'write'],
    ['ALTER TABLE frames DELETE WHERE 1', 'DDL'],
    ['SET readonly = 0', 'settings'],
    ['KILL QUERY WHERE 1', 'kill'],
    ['SYSTEM SHUTDOWN', 'system'],
    ['SELECT 1; SELECT 2', 'two statements'],
    ['SELECT 1; INSERT INTO t VALUES (1)', 'smuggled write'],
    ["SELECT file('/etc/passwd')", 'file()'],
    ["SELECT `file`('/etc/passwd')", 'quoted function name'],
    ['SELECT "file"(\'/etc/passwd\')', 'double-quoted function name'],
    ["SELECT file /* gap */ ('/etc/passwd')", 'comment before the call'],
    ["SELECT * FROM url('http://x/', CSV)", 'url()'],
    ["SELECT * FROM s3('s3://b/k')", 's3()'],
    ["SELECT * FROM remote('h', system.one)", 'remote()'],
    ["SELECT * FROM executable('sh', 'CSV', 'x String')", 'executable()'],
    ["SELECT 1 INTO OUTFILE '/tmp/x'", 'outfile'],
    ["SELECT 1 into\noutfile '/tmp/x' TRUNCATE", 'outfile across lines'],
    ["SELECT 'x' /* '*/ , file('/etc/passwd') -- '", 'comment trickery'],
    ["SELECT 'a\\\\' ; KILL QUERY WHERE 1", 'escaped backslash ends the literal'],
  ])('refuses %s (%s)', (sql) => {
    expect(refusedCode(sql)).toBe('TG_ERR_READ_ONLY');
  });

  it('refuses any statement that calls file(), however it is padded', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('', ' ', '\n', '\t', '`'), fc.string(), (before, pad, after) => {
        const sql = `SELECT ${before.replaceAll("'", '')} file${pad}${pad === '`' ? '`' : ''}('/etc/passwd') ${after}`;
        expect(refusedCode(sql)).toBe('TG_ERR_READ_ONLY');
      }),
    );
  });

  it('only ever throws TG_ERR_READ_ONLY on garbage', () => {
    fc.assert(
      fc.property(sqlText, (sql) => {
        const code = refusedCode(sql);
        expect(code === undefined || code === 'TG_ERR_READ_ONLY').toBe(true);
      }),
    );
  });
});

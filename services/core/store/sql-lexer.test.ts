import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanSql, splitStatements } from './sql-lexer.js';

/** Short strings rich in quotes, escapes, comment and statement markers, and non-ASCII. */
const sqlText = fc.string({ unit: fc.oneof(
  fc.constantFrom("'", '"', '`', '\\', ';', '\n', '\r', '\t', '\0', '-', '/', '*', '#', '(', ')', '$', 'é', '🦀', '\u2028', ' '),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
), maxLength: 80 });

describe('scanSql', () => {
  it('sees words, calls and separators outside literals and comments only', () => {
    const tokens = scanSql("SELECT 'a;b', `x;y`, \"z\" -- c;\n/* d; */ # e;\n; f(1)");
    expect(tokens.map((t) => `${t.kind}:${t.text}`)).toEqual([
      'word:SELECT', 'string:a;b', 'punct:,', 'quoted-identifier:x;y', 'punct:,', 'quoted-identifier:z',
      'punct:;', 'word:f', 'punct:(', 'number:1', 'punct:)',
    ]);
  });

  it('follows ClickHouse escapes: backslash and doubled quotes keep a literal open', () => {
    expect(scanSql("'it''s' 'a\\'b' 'c\\\\'; x").map((t) => t.text)).toEqual(["it's", "a'b", 'c\\', ';', 'x']);
  });

  it('runs unterminated literals and comments to the end instead of throwing', () => {
    expect(scanSql("SELECT 'open; DROP")).toHaveLength(2);
    expect(scanSql('SELECT /* open; DROP')).toHaveLength(1);
    expect(scanSql('`never closed')).toHaveLength(1);
  });

  it('never throws and covers the input in order, whatever the input', () => {
    fc.assert(
      fc.property(sqlText, (sql) => {
        let last = 0;
        for (const t of scanSql(sql)) {
          expect(t.start).toBeGreaterThanOrEqual(last);
          expect(t.end).toBeGreaterThan(t.start);
          last = t.end;
        }
        expect(last).toBeLessThanOrEqual(sql.length);
      }),
    );
  });
});

describe('splitStatements', () => {
  it('splits at top-level semicolons and drops empty statements and comment-only tails', () => {
    const script = "CREATE TABLE a (x String DEFAULT ';');\n-- note; with semicolon\nCREATE TABLE b (y UInt8);\n;\n-- trailing comment\n";
    expect(splitStatements(script)).toEqual([
      "CREATE TABLE a (x String DEFAULT ';')",
      '-- note; with semicolon\nCREATE TABLE b (y UInt8)',
    ]);
  });

  it('returns nothing for an empty or comment-only script', () => {
    expect(splitStatements('')).toEqual([]);
    expect(splitStatements('-- nothing\n/* here */')).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGuardrails } from './compile.js';
import { Kind } from './kinds.js';
import { loadGuardrailParser } from './parser.js';

// Property tests: rewriting a forbidden statement in ways PostgreSQL ignores (case, whitespace,
// comments, neighbouring harmless statements) must never change the verdict, and no input at all
// may make the guardrail throw or allow something its classification says is forbidden.
await loadGuardrailParser();
const readOnly = compileGuardrails(['read-only'], [], { cacheEntries: 0 });

/** Statements as tokens; `~` marks a token whose letter case PostgreSQL ignores. */
const FORBIDDEN: [string[], string][] = [
  [['~DROP', '~TABLE', '~x'], 'read-only/ddl'],
  [['~DELETE', '~FROM', '~t', '~WHERE', 'id', '=', '1'], 'read-only/write'],
  [['~SELECT', '~pg_catalog', '.', '~pg_read_file', '(', "'/etc/passwd'", ')'], 'read-only/server-files'],
  [['~SELECT', '"pg_read_file"', '(', "'x'", ')'], 'read-only/server-files'],
  [['~WITH', '~d', '~AS', '(', '~DELETE', '~FROM', '~t', '~RETURNING', '*', ')', '~SELECT', '*', '~FROM', '~d'], 'read-only/write'],
  [['~EXPLAIN', '~ANALYZE', '~UPDATE', '~t', '~SET', '~a', '=', '1'], 'read-only/write'],
  [['~COPY', '~t', '~TO', '~PROGRAM', "'id'"], 'read-only/server-files'],
  [['~SET', '~ROLE', '~postgres'], 'read-only/privilege'],
  [['~SELECT', '~set_config', '(', "'role'", ',', "'postgres'", ',', '~false', ')'], 'read-only/privilege'],
  [['~ALTER', '~SYSTEM', '~SET', '~work_mem', '=', "'1GB'"], 'read-only/server-config'],
  [['~SELECT', '*', '~FROM', '~t', '~FOR', '~UPDATE'], 'read-only/lock'],
  [['~SELECT', '~nextval', '(', "'s'", ')'], 'read-only/write'],
  [['~DO', '$$BEGIN DELETE FROM t; END$$'], 'read-only/write'],
  [['~DO', "$$BEGIN EXECUTE 'x'; END$$"], 'unclassifiable/dynamic-sql'],
  [['~PREPARE', '~p', '~AS', '~INSERT', '~INTO', '~t', '~VALUES', '(', '1', ')'], 'read-only/write'],
  [['~SELECT', '*', '~FROM', '~dblink', '(', "'h'", ',', "'q'", ')', '~AS', '~r', '(', '~a', '~int', ')'], 'unclassifiable/dynamic-sql'],
];

const separator = fc.constantFrom(' ', '  ', '\n', '\t', '\r\n', '/**/', '/* ; DROP */', '/* a /* nested */ b */', '--c;\n', ' /*x*/ ');

function flipCase(token: string, bits: number[]): string {
  if (!token.startsWith('~')) return token;
  const word = token.slice(1);
  return [...word].map((ch, i) => ((bits[i % bits.length] ?? 0) & 1 ? ch.toUpperCase() : ch.toLowerCase())).join('');
}

const variant = fc
  .constantFrom(...FORBIDDEN)
  .chain(([tokens, rule]) =>
    fc
      .record({
        seps: fc.array(separator, { minLength: tokens.length + 1, maxLength: tokens.length + 1 }),
        bits: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 16 }),
        before: fc.constantFrom('', 'SELECT 1;', 'BEGIN;', 'SHOW work_mem;', ';;'),
        after: fc.constantFrom('', ';', '; SELECT 2', '; COMMIT', ' -- trailing'),
      })
      .map(({ seps, bits, before, after }) => {
        const body = tokens.map((t, i) => `${seps[i] ?? ' '}${flipCase(t, bits)}`).join('') + (seps[tokens.length] ?? '');
        return { sql: `${before}${body}${after}`, rule };
      }),
  );

describe('read-only under rewriting', () => {
  it('case, whitespace, comments and harmless neighbours never change the verdict', () => {
    fc.assert(
      fc.property(variant, ({ sql, rule }) => {
        const d = readOnly(sql);
        expect(d.action, sql).toBe('block');
        expect(d.action === 'block' && d.ruleId, sql).toBe(rule);
      }),
      { numRuns: 600 },
    );
  });
});

const FORBIDDEN_FOR_READ_ONLY =
  Kind.write | Kind.ddl | Kind.privilege | Kind['server-config'] | Kind['server-files'] | Kind.lock | Kind.procedure | Kind.notify | Kind.maintenance;

describe('arbitrary input', () => {
  const sqlish = fc.array(
    fc.constantFrom('SELECT', 'DELETE', 'FROM', 't', 'WHERE', '1', '=', '(', ')', ';', ',', "'x'", '$$', '"q"', '--', '/*', '*/', 'pg_read_file', 'DO', 'SET', 'ROLE', 'INTO', 'E\'\\x\'', 'U&"\\0070"', '::', 'WITH', 'AS', ' '),
    { maxLength: 30 },
  ).map((parts) => parts.join(' '));

  it('never throws, and never allows what its own classification forbids', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), sqlish), (sql) => {
        const analysis = readOnly.analyze(sql);
        const d = readOnly.judge(analysis);
        if (d.action === 'allow' && 'classification' in analysis) {
          expect(analysis.classification.kinds & FORBIDDEN_FOR_READ_ONLY).toBe(0);
          expect(analysis.classification.unclassifiable).toBeUndefined();
        }
        if (d.action !== 'allow') expect(d.message).toContain(d.ruleId);
      }),
      { numRuns: 800 },
    );
  });
});

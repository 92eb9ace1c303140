/**
 * Shape keys for simple-protocol SELECTs that differ only in the integer they compare a column
 * with: `SELECT abalance FROM pgbench_accounts WHERE aid = 12345;` and `... aid = 678;` share the
 * key `SELECT abalance FROM pgbench_accounts WHERE aid = ?`. The relay caches the guardrails'
 * ALLOW under that key, so clients that inline values (pgbench -M simple, many ORMs) stop paying
 * a parse per statement.
 *
 * The key is deliberately narrow, because a cache that conflated a dangerous statement with a
 * safe one would be a bypass. A text gets a key only when:
 * - it holds nothing but ASCII letters, digits, `_`, blanks, `, . ; * = < >` (so no strings,
 *   quoted identifiers, parentheses (no function calls), casts, parameters, comments, `$`, `-`, `/`);
 * - its first word is SELECT and a `;` can only end it (one statement);
 * - each normalised number is a plain run of digits (no `1.5`, `1e5`, `0x1f`, `1_000`, `1abc`),
 *   directly right of a comparison operator (`= < > <= >= <>`) whose left operand is a word.
 * Tokens are split as PostgreSQL's lexer splits this alphabet (operator characters run together,
 * as `=*` would), so equal keys mean equal token streams up to those integers. The guardrails read
 * literal values only in SET/set_config arguments, casts, function arguments and constant-only
 * WHERE arms of writes (`1 = 1`), none of which this shape can hold: a SELECT's decision cannot
 * depend on the integer a column is compared with.
 */

/** Texts longer than this are not worth a key (and bound the cache's memory). */
export const MAX_SHAPE_TEXT = 2048;

const WORD = 1;
const DIGIT = 2;
const BLANK = 3;
const OPERATOR = 4;
const PUNCT = 5;

const CLASS = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = WORD;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = WORD;
CLASS[0x5f] = WORD;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
for (const c of ' \t\n\r') CLASS[c.charCodeAt(0)] = BLANK;
for (const c of '=<>*') CLASS[c.charCodeAt(0)] = OPERATOR;
for (const c of ',.;') CLASS[c.charCodeAt(0)] = PUNCT;

const COMPARISONS = new Set(['=', '<', '>', '<=', '>=', '<>']);

function classOf(sql: string, i: number): number {
  const c = sql.charCodeAt(i);
  return c < 128 ? CLASS[c] ?? 0 : 0;
}

/** The shape key of a SELECT whose guardrail decision holds for any integers compared with its columns, or undefined. */
export function selectShapeKey(sql: string): string | undefined {
  const n = sql.length;
  if (n > MAX_SHAPE_TEXT) return undefined;
  const tokens: string[] = [];
  // Kinds of the last two tokens, to see `word <comparison> number`.
  let prevKind = 0;
  let prevPrevKind = 0;
  let ended = false;
  for (let i = 0; i < n;) {
    const cls = classOf(sql, i);
    if (cls === BLANK) {
      i++;
      continue;
    }
    if (cls === 0 || ended) return undefined;
    let j = i + 1;
    if (cls === WORD) {
      while (j < n && (classOf(sql, j) === WORD || classOf(sql, j) === DIGIT)) j++;
    } else if (cls === DIGIT) {
      while (j < n && classOf(sql, j) === DIGIT) j++;
      // Trailing junk, decimals, exponents, hex, underscores, and `a.1`: not a plain integer.
      if (j < n && (classOf(sql, j) === WORD || sql.charCodeAt(j) === 0x2e)) return undefined;
      if (i > 0 && sql.charCodeAt(i - 1) === 0x2e) return undefined;
    } else if (cls === OPERATOR) {
      while (j < n && classOf(sql, j) === OPERATOR) j++;
    } else if (sql.charCodeAt(i) === 0x3b) {
      ended = true;
      i = j;
      continue;
    }
    const text = sql.slice(i, j);
    if (tokens.length === 0 && (cls !== WORD || text.toUpperCase() !== 'SELECT')) return undefined;
    const normalise = cls === DIGIT && prevKind === OPERATOR && prevPrevKind === WORD && COMPARISONS.has(tokens[tokens.length - 1] ?? '');
    tokens.push(normalise ? '?' : text);
    prevPrevKind = prevKind;
    prevKind = cls;
    i = j;
  }
  return tokens.length === 0 ? undefined : tokens.join(' ');
}

/**
 * The shapes whose every instance the guardrails allowed, bounded; oldest forgotten first. One per
 * session, so nothing a session learns outlives it.
 */
export class AllowedShapes {
  private readonly shapes = new Set<string>();

  constructor(private readonly capacity = 256) {}

  has(key: string): boolean {
    return this.shapes.has(key);
  }

  add(key: string): void {
    if (this.shapes.has(key)) return;
    this.shapes.add(key);
    if (this.shapes.size > this.capacity) {
      const oldest = this.shapes.values().next();
      if (oldest.done !== true) this.shapes.delete(oldest.value);
    }
  }

  get size(): number {
    return this.shapes.size;
  }
}

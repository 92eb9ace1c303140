/**
 * A small ClickHouse SQL lexer: just enough to split migration files into statements and to let the
 * read-only guard see words, calls and statement separators outside literals and comments.
 *
 * It follows ClickHouse's quoting rules (backslash escapes and doubled quotes in '...', `...` and
 * "..."; `--`, `#` and C-style comments). Where it could disagree with the engine it errs on the side
 * of seeing *more* code: comments end at the first `* /` even though ClickHouse nests them, so
 * anything this lexer takes for a comment the engine takes for a comment too.
 */

export type SqlTokenKind = 'word' | 'quoted-identifier' | 'string' | 'number' | 'punct';

export interface SqlToken {
  kind: SqlTokenKind;
  /** Source text; for quoted identifiers and strings, the unquoted content. */
  text: string;
  start: number;
  end: number;
}

const isWordStart = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isWordPart = (c: number): boolean => isWordStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;

/** Splits SQL into tokens, dropping whitespace and comments. Unterminated literals run to the end. */
export function scanSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (sql.startsWith('--', i) || c === 0x23 /* # */) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === 0x27 /* ' */ || c === 0x60 /* ` */ || c === 0x22 /* " */) {
      const end = scanQuoted(sql, i, c);
      const kind: SqlTokenKind = c === 0x27 ? 'string' : 'quoted-identifier';
      tokens.push({ kind, text: unquote(sql.slice(i + 1, end - 1), String.fromCharCode(c)), start: i, end });
      i = end;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j))) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else if (isDigit(c)) {
      let j = i + 1;
      while (j < n && (isWordPart(sql.charCodeAt(j)) || sql.charCodeAt(j) === 0x2e)) j++;
      tokens.push({ kind: 'number', text: sql.slice(i, j), start: i, end: j });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: sql[i] ?? '', start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** Returns the index just past the closing quote (or the end of input when unterminated). */
function scanQuoted(sql: string, open: number, quote: number): number {
  let i = open + 1;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (c === 0x5c /* \ */) {
      i += 2;
    } else if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

function unquote(body: string, quote: string): string {
  return body.replaceAll(quote + quote, quote).replace(/\\(.)/gs, '$1');
}

/**
 * Splits a script into statements at top-level semicolons, keeping each statement's source text
 * (comments included) and dropping empty ones.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let from = 0;
  for (const token of scanSql(script)) {
    if (token.kind === 'punct' && token.text === ';') {
      pushStatement(statements, script.slice(from, token.start));
      from = token.end;
    }
  }
  pushStatement(statements, script.slice(from));
  return statements;
}

function pushStatement(out: string[], text: string): void {
  if (scanSql(text).length > 0) out.push(text.trim());
}

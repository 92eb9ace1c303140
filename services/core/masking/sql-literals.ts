import { eachMatch } from './each-match.js';
import { keywordAtBoundary, secretKeyWords } from './detector-secret-kv.js';
import { maskText } from './detector-set.js';
import type { DetectorSet, TextMaskResult } from './detector-set.js';
import type { Finding } from './types.js';

export interface SqlMaskOptions {
  /** Replace every literal with `?` (fingerprint-like text), not only those a detector matches. */
  readonly strict?: boolean;
}

type Kind = 'standard' | 'escape' | 'dollar';
const SECRET_LITERAL = '[REDACTED:secret-kv]';

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 0x24;
}

/** A column or key name that names a secret (password, api_token, "ClientSecret"). */
function isSecretName(word: string): boolean {
  let found = false;
  eachMatch(secretKeyWords, word, (m) => (found = keywordAtBoundary(word, m.index, m.index + m[0].length)));
  return found;
}

const simpleEscapes: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Decodes an E'' string body (backslash escapes, doubled quotes) the way PostgreSQL reads it. */
export function decodeEscapeString(body: string): string {
  return body.replace(/''|\\(?:x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[\s\S]?)/g, (esc) => {
    if (esc === "''") return "'";
    const k = esc[1] ?? '';
    if (k === 'x') return String.fromCharCode(parseInt(esc.slice(2), 16));
    if (k === 'u' || k === 'U') return String.fromCodePoint(Math.min(parseInt(esc.slice(2), 16), 0x10ffff));
    if (isDigit(k.charCodeAt(0))) return String.fromCharCode(parseInt(esc.slice(1), 8) & 0xff);
    return simpleEscapes[k] ?? k;
  });
}

/** End of a quoted token's body and of the whole token, from the opening quote (' or ") at `q`. */
function scanQuoted(sql: string, q: number, backslashes: boolean): [number, number] {
  const quote = sql.charCodeAt(q);
  let j = q + 1;
  while (j < sql.length) {
    const c = sql.charCodeAt(j);
    if (backslashes && c === 0x5c) j += 2;
    else if (c === quote && sql.charCodeAt(j + 1) === quote) j += 2;
    else if (c === quote) return [j, j + 1];
    else j++;
  }
  return [sql.length, sql.length];
}

function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql.startsWith('/*', j)) {
      depth++;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return sql.length;
}

const dollarTag = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

interface Literal {
  kind: Kind;
  open: string; // prefix and opening delimiter, as written
  body: string;
  close: string; // '' when unterminated
}

function encode(lit: Literal, text: string): string {
  if (lit.kind === 'dollar' && !text.includes(lit.open)) return lit.open + text + lit.close;
  if (lit.kind === 'escape') return `${lit.open}${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}${lit.close}`;
  const open = lit.kind === 'dollar' ? "'" : lit.open;
  const close = lit.kind === 'dollar' ? "'" : lit.close;
  return `${open}${text.replaceAll("'", "''")}${close}`;
}

/** One pass over a statement: copies text, masking gaps and literals as it meets them. */
class LiteralMasker {
  private out = '';
  private readonly findings: Finding[] = [];
  private gapStart = 0;
  private i = 0;
  private word1 = '';
  private word2 = '';
  private eqAfter = ''; // the word (as written) before the last '=' when nothing else followed
  private lastSig: 'word' | 'eq' | 'other' = 'other';

  constructor(
    private readonly sql: string,
    private readonly set: DetectorSet,
    private readonly strict: boolean,
  ) {}

  run(): TextMaskResult {
    const { sql } = this;
    while (this.i < sql.length) {
      const c = sql.charCodeAt(this.i);
      const next = sql.charCodeAt(this.i + 1);
      const afterIdent = this.i > 0 && isIdentChar(sql.charCodeAt(this.i - 1));
      if (c === 0x2d && next === 0x2d) {
        const nl = sql.indexOf('\n', this.i);
        this.i = nl === -1 ? sql.length : nl;
      } else if (c === 0x2f && next === 0x2a) this.i = skipBlockComment(sql, this.i);
      else if (c === 0x27) this.quoted(this.i, this.i, 'standard');
      else if (c === 0x22) this.quotedIdentifier();
      else if (c === 0x24 && !afterIdent) this.dollar();
      else if ((isDigit(c) || (c === 0x2e && isDigit(next))) && !afterIdent) this.number();
      else if (isIdentStart(c)) this.word();
      else if (c === 0x3d || (c === 0x3a && next === 0x3d)) {
        this.eqAfter = this.lastSig === 'word' ? this.word1 : '';
        this.lastSig = 'eq';
        this.i += c === 0x3d ? 1 : 2;
      } else {
        if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) this.lastSig = 'other';
        this.i++;
      }
    }
    this.flushGap(sql.length);
    return { text: this.out, findings: this.findings };
  }

  private flushGap(end: number): void {
    if (end <= this.gapStart) return;
    const r = maskText(this.sql.slice(this.gapStart, end), this.set);
    this.out += r.text;
    for (const f of r.findings) this.findings.push({ detector: f.detector, start: f.start + this.gapStart, end: f.end + this.gapStart });
  }

  private sensitive(): boolean {
    if (this.lastSig === 'eq') return isSecretName(this.eqAfter);
    const w1 = this.word1.toLowerCase();
    return this.lastSig === 'word' && (w1 === 'password' || (w1 === 'by' && this.word2.toLowerCase() === 'identified'));
  }

  private literal(start: number, lit: Literal, end: number): void {
    this.flushGap(start);
    if (this.strict) this.out += '?';
    else if (this.sensitive()) {
      this.out += encode(lit, SECRET_LITERAL);
      this.findings.push({ detector: 'secret-kv', start, end });
    } else {
      const decoded = lit.kind === 'escape' ? decodeEscapeString(lit.body) : lit.kind === 'standard' ? lit.body.replaceAll("''", "'") : lit.body;
      const r = maskText(decoded, this.set);
      if (r.findings.length === 0) this.out += this.sql.slice(start, end);
      else {
        this.out += encode(lit, r.text);
        for (const f of r.findings) this.findings.push({ detector: f.detector, start, end });
      }
    }
    this.gapStart = this.i = end;
    this.lastSig = 'other';
  }

  private quoted(start: number, q: number, kind: Kind): void {
    const [bodyEnd, end] = scanQuoted(this.sql, q, kind === 'escape');
    const { sql } = this;
    this.literal(start, { kind, open: sql.slice(start, q + 1), body: sql.slice(q + 1, bodyEnd), close: sql.slice(bodyEnd, end) }, end);
  }

  private quotedIdentifier(): void {
    const [bodyEnd, end] = scanQuoted(this.sql, this.i, false);
    this.pushWord(this.sql.slice(this.i + 1, bodyEnd).replaceAll('""', '"'));
    this.i = end;
  }

  private pushWord(word: string): void {
    this.word2 = this.word1;
    this.word1 = word;
    this.lastSig = 'word';
  }

  private dollar(): void {
    const { sql, i } = this;
    dollarTag.lastIndex = i;
    const m = dollarTag.exec(sql);
    if (m === null) {
      this.lastSig = 'other';
      this.i++;
      return;
    }
    const close = sql.indexOf(m[0], i + m[0].length);
    const bodyEnd = close === -1 ? sql.length : close;
    const end = close === -1 ? sql.length : close + m[0].length;
    this.literal(i, { kind: 'dollar', open: m[0], body: sql.slice(i + m[0].length, bodyEnd), close: close === -1 ? '' : m[0] }, end);
  }

  private number(): void {
    const { sql, i } = this;
    let j = i;
    while (j < sql.length && (isDigit(sql.charCodeAt(j)) || sql.charCodeAt(j) === 0x2e || sql.charCodeAt(j) === 0x5f)) j++;
    if (/^[eE][+-]?[0-9]/.test(sql.slice(j, j + 3))) {
      j += 2;
      while (j < sql.length && isDigit(sql.charCodeAt(j))) j++;
    }
    // Outside strict mode numbers stay in the gap, where a card spread over tokens is still seen.
    if (this.strict) {
      this.flushGap(i);
      this.out += '?';
      this.gapStart = j;
    }
    this.lastSig = 'other';
    this.i = j;
  }

  private word(): void {
    const { sql, i } = this;
    let j = i + 1;
    while (j < sql.length && isIdentChar(sql.charCodeAt(j))) j++;
    const word = sql.slice(i, j);
    const lower = word.toLowerCase();
    if (sql.charCodeAt(j) === 0x27 && (lower === 'e' || lower === 'n' || lower === 'b' || lower === 'x')) this.quoted(i, j, lower === 'e' ? 'escape' : 'standard');
    else if (lower === 'u' && sql.charCodeAt(j) === 0x26 && sql.charCodeAt(j + 1) === 0x27) this.quoted(i, j + 1, 'standard');
    else {
      this.pushWord(word);
      this.i = j;
    }
  }
}

/**
 * Masks literals in recorded SQL text with a lexer (no parse, so broken or truncated statements are
 * masked too): detector matches inside string, E'', dollar-quoted and numeric literals; the literal
 * after `<secret-named column> =` or PASSWORD / IDENTIFIED BY; everything in `strict` mode.
 * Comments and identifiers go through the detectors as plain text.
 */
export function maskSqlLiterals(sql: string, set: DetectorSet, options: SqlMaskOptions = {}): TextMaskResult {
  return new LiteralMasker(sql, set, options.strict === true).run();
}

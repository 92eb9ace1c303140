/**
 * A POSIX-shell lexer good enough to judge commands, not to run them. It splits a command line
 * into words and operators, removes quotes the way the shell does (so `r""m`, `\rm` and `'rm'`
 * all read `rm`), decodes ANSI-C `$'\x72m'` quoting, and marks everything whose meaning only
 * exists at run time (substitutions, expansions, globs) so the judge can refuse it on purpose.
 */

export type Token =
  | { kind: 'word'; text: string; /** Contains an expansion or glob the shell resolves at run time. */ dynamic: boolean; quoted: boolean }
  | { kind: 'op'; text: string };

/** Constructs that hide what will run; reported, never guessed at. */
export type OpaqueReason =
  | 'command-substitution'
  | 'backticks'
  | 'process-substitution'
  | 'unterminated-quote'
  | 'heredoc'
  | 'too-deep';

export interface LexResult {
  tokens: Token[];
  opaque: OpaqueReason[];
}

// Longest first: the lexer takes the first operator the input starts with.
const OPERATORS = ['&&', '||', ';;', '|&', '&>>', '&>', '>>', '>&', '<&', '<<<', '<<', '<>', '>|', '|', '&', ';', '(', ')', '<', '>', '\n'];
const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** Splits a command line into tokens and the opaque constructs it contains. */
export function lex(input: string): LexResult {
  const tokens: Token[] = [];
  const opaque = new Set<OpaqueReason>();
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '\\' && input[i + 1] === '\n') { i += 2; continue; }
    if (c === '#' ) { while (i < input.length && input[i] !== '\n') i++; continue; }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op !== undefined) {
      if ((op === '<' || op === '>') && input[i + 1] === '(') opaque.add('process-substitution');
      if (op === '<<') opaque.add('heredoc');
      tokens.push({ kind: 'op', text: op });
      i += op.length;
      continue;
    }
    i = readWord(input, i, tokens, opaque);
  }
  return { tokens, opaque: [...opaque] };
}

/** Reads one word starting at i; returns the index after it. */
function readWord(input: string, start: number, tokens: Token[], opaque: Set<OpaqueReason>): number {
  let text = '';
  let dynamic = false;
  let quoted = false;
  let i = start;
  while (i < input.length) {
    const c = input[i]!;
    if (META.has(c)) break;
    if (c === '\\') {
      if (input[i + 1] === '\n') { i += 2; continue; }
      if (i + 1 < input.length) text += input[i + 1]!;
      quoted = true;
      i += 2;
    } else if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) { opaque.add('unterminated-quote'); return input.length; }
      text += input.slice(i + 1, end);
      quoted = true;
      i = end + 1;
    } else if (c === '"') {
      const r = readDoubleQuoted(input, i + 1, opaque);
      if (r === undefined) { opaque.add('unterminated-quote'); return input.length; }
      text += r.text;
      dynamic ||= r.dynamic;
      quoted = true;
      i = r.end;
    } else if (c === '`') {
      opaque.add('backticks');
      const end = input.indexOf('`', i + 1);
      dynamic = true;
      i = end < 0 ? input.length : end + 1;
    } else if (c === '$') {
      const r = readDollar(input, i, opaque);
      text += r.text;
      dynamic ||= r.dynamic;
      quoted ||= r.quoted;
      i = r.end;
    } else {
      if (c === '*' || c === '?' || c === '[') dynamic = true;
      text += c;
      i++;
    }
  }
  tokens.push({ kind: 'word', text, dynamic, quoted });
  return i;
}

function readDoubleQuoted(input: string, start: number, opaque: Set<OpaqueReason>): { text: string; dynamic: boolean; end: number } | undefined {
  let text = '';
  let dynamic = false;
  let i = start;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '"') return { text, dynamic, end: i + 1 };
    if (c === '\\' && i + 1 < input.length && '$`"\\\n'.includes(input[i + 1]!)) {
      if (input[i + 1] !== '\n') text += input[i + 1]!;
      i += 2;
    } else if (c === '`') {
      opaque.add('backticks');
      dynamic = true;
      const end = input.indexOf('`', i + 1);
      if (end < 0) return undefined;
      i = end + 1;
    } else if (c === '$') {
      const r = readDollar(input, i, opaque);
      text += r.text;
      dynamic ||= r.dynamic;
      i = r.end;
    } else {
      text += c;
      i++;
    }
  }
  return undefined;
}

/** `$(...)`, `$((...))`, `${...}`, `$NAME`, `$'...'`; i points at the `$`. */
function readDollar(input: string, i: number, opaque: Set<OpaqueReason>): { text: string; dynamic: boolean; quoted: boolean; end: number } {
  const next = input[i + 1];
  if (next === "'") {
    const r = decodeAnsiC(input, i + 2);
    if (r === undefined) { opaque.add('unterminated-quote'); return { text: '', dynamic: false, quoted: true, end: input.length }; }
    return { text: r.text, dynamic: false, quoted: true, end: r.end };
  }
  if (next === '(') {
    const arithmetic = input[i + 2] === '(';
    if (!arithmetic) opaque.add('command-substitution');
    const end = matchParen(input, i + 1);
    if (end < 0) opaque.add('unterminated-quote');
    // Arithmetic can still run commands through array subscripts; keep the text so a judge sees it.
    if (arithmetic && /[`$]\(|`/.test(input.slice(i + 3, end < 0 ? input.length : end))) opaque.add('command-substitution');
    return { text: '', dynamic: true, quoted: false, end: end < 0 ? input.length : end + 1 };
  }
  if (next === '{') {
    const end = input.indexOf('}', i + 2);
    const inner = input.slice(i + 2, end < 0 ? input.length : end);
    if (/[`$]\(|`/.test(inner)) opaque.add('command-substitution');
    return { text: '', dynamic: true, quoted: false, end: end < 0 ? input.length : end + 1 };
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9@*#?$!-]/.exec(input.slice(i + 1, i + 64));
  if (m === null) return { text: '$', dynamic: false, quoted: false, end: i + 1 };
  return { text: '', dynamic: true, quoted: false, end: i + 1 + m[0].length };
}

/** Index of the `)` matching the `(` at open, honouring quotes and nesting; -1 when unbalanced. */
function matchParen(input: string, open: number): number {
  let depth = 0;
  for (let i = open; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\') { i++; continue; }
    if (c === "'") { const e = input.indexOf("'", i + 1); if (e < 0) return -1; i = e; continue; }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Decodes bash ANSI-C quoting from just after `$'`; hex, octal and \u escapes become the characters they name. */
function decodeAnsiC(input: string, start: number): { text: string; end: number } | undefined {
  let text = '';
  let i = start;
  while (i < input.length) {
    const c = input[i]!;
    if (c === "'") return { text, end: i + 1 };
    if (c !== '\\') { text += c; i++; continue; }
    const e = input[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    let m: RegExpExecArray | null;
    if (simple !== undefined) { text += simple; i += 2; }
    else if ((m = /^x([0-9A-Fa-f]{1,2})/.exec(input.slice(i + 1, i + 4))) !== null) { text += String.fromCharCode(parseInt(m[1]!, 16)); i += 1 + m[0].length; }
    else if ((m = /^[0-7]{1,3}/.exec(input.slice(i + 1, i + 4))) !== null) { text += String.fromCharCode(parseInt(m[0], 8) & 0xff); i += 1 + m[0].length; }
    else if ((m = /^[uU]([0-9A-Fa-f]{1,8})/.exec(input.slice(i + 1, i + 11))) !== null) { text += safeCodePoint(parseInt(m[1]!, 16)); i += 1 + m[0].length; }
    else if (e === 'c' && i + 2 < input.length) { text += String.fromCharCode(input.charCodeAt(i + 2) & 0x1f); i += 3; }
    else { text += '\\' + e; i += 2; }
  }
  return undefined;
}

function safeCodePoint(cp: number): string {
  return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
}

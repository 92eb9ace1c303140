import { eachMatch } from './each-match.js';
import type { Detector, Finding } from './types.js';

/**
 * Words that name a secret in `key=value` / `key: value` text: env dumps, connection strings,
 * config files, logs. Shared with the JSON walker and the SQL literal masker.
 */
export const secretKeyWords = /pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential/gi;
// Long words may sit inside a longer name (PGPASSWORD, mysecret); short ones need a boundary on both sides.
const embeddable = /^(?:password|passwd|passphrase|secret|credential)$/i;

function isIdent(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d || c === 0x2e;
}
function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}
function isLetter(c: number): boolean {
  return isLower(c) || (c >= 0x41 && c <= 0x5a);
}

/** True when the keyword at [s, e) is a word of the identifier, not part of "passenger" or "tokens". */
export function keywordAtBoundary(text: string, s: number, e: number): boolean {
  const after = text.charCodeAt(e);
  const last = text.charCodeAt(e - 1);
  // camelCase: passwordHash ends the word at an upper-case letter after a lower-case one.
  const endOk = !isLetter(after) || (isLower(last) && !isLower(after));
  if (!endOk) return false;
  if (embeddable.test(text.slice(s, e))) return true;
  const before = text.charCodeAt(s - 1);
  return !isLetter(before) || (isLower(before) && !isLower(text.charCodeAt(s)));
}

/** Start of the value after `key = ` / `key: ` / `"key": `, or -1 when no assignment follows. */
function valueStart(text: string, identEnd: number): number {
  let i = identEnd;
  const q = text.charCodeAt(i);
  if (q === 0x22 || q === 0x27) i++;
  let spaces = 0;
  while (spaces < 8 && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) {
    i++;
    spaces++;
  }
  const op = text.charCodeAt(i);
  if (op !== 0x3d && op !== 0x3a) return -1;
  if (text.charCodeAt(i + 1) === op || (op === 0x3d && text.charCodeAt(i - 1) === 0x21)) return -1; // '==', '::', '!='
  i++;
  if (op === 0x3d && text.charCodeAt(i) === 0x3e) i++; // '=>'
  spaces = 0;
  while (spaces < 8 && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) {
    i++;
    spaces++;
  }
  return i;
}

const unquotedStop = new Set([0x20, 0x09, 0x0a, 0x0d, 0x3b, 0x2c, 0x26, 0x22, 0x27, 0x3c, 0x3e, 0x29, 0x7d, 0x5d]);

/** The [start, end) of the secret value at `v`: a quoted string's content or an unquoted token. */
export function valueSpan(text: string, v: number): [number, number] {
  const n = Math.min(text.length, v + 1024);
  const q = text.charCodeAt(v);
  if (q === 0x22 || q === 0x27 || q === 0x60) {
    let e = v + 1;
    while (e < n) {
      const c = text.charCodeAt(e);
      if (c === 0x5c) e += 2;
      else if (c === q && text.charCodeAt(e + 1) === q) e += 2;
      else if (c === q || c === 0x0a) break;
      else e++;
    }
    return [v + 1, Math.min(e, n)];
  }
  let e = v;
  while (e < n && !unquotedStop.has(text.charCodeAt(e))) e++;
  return [v, e];
}

function alreadyMasked(text: string, s: number): boolean {
  return text.startsWith('[REDACTED', s) || text.startsWith('****', s) || text.startsWith('[WITHHELD', s);
}

function scanSecretKv(text: string, out: Finding[]): void {
  let lastEnd = 0;
  eachMatch(secretKeyWords, text, (m) => {
    const ks = m.index;
    const ke = ks + m[0].length;
    if (ks < lastEnd || !keywordAtBoundary(text, ks, ke)) return;
    let ie = ke;
    while (ie < text.length && ie - ke < 64 && isIdent(text.charCodeAt(ie))) ie++;
    const v = valueStart(text, ie);
    if (v === -1 || v >= text.length || alreadyMasked(text, v)) return;
    const [s, e] = valueSpan(text, v);
    if (e <= s) return;
    out.push({ detector: 'secret-kv', start: s, end: e });
    lastEnd = e;
  });
}

export const secretKvDetector: Detector = {
  id: 'secret-kv',
  gate: (s) => (s.equals > 0 || s.colons > 0) && s.length >= 5,
  scan: scanSecretKv,
  placeholder: () => '[REDACTED:secret-kv]',
};

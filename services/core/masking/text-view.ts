import type { TextStats } from './types.js';

/**
 * The detection view of a text: what a reader would see once terminal escapes, invisible characters
 * and look-alike digits are taken out. Detectors run on `text`; `starts`/`ends` map each view code
 * unit back to the original span so the replacement covers whatever the disguise inserted.
 * For plain printable ASCII the view is the text itself and the maps are null (no allocation).
 */
export interface TextView {
  readonly text: string;
  readonly starts: Int32Array | null;
  readonly ends: Int32Array | null;
}

/** Fresh zeroed stats; callers reuse one object per plan to keep the hot path allocation-free. */
export function emptyStats(): TextStats {
  return { length: 0, digits: 0, upper: 0, at: 0, percent: 0, dots: 0, dashes: 0, underscores: 0, equals: 0, colons: 0, spaces: 0, plus: 0 };
}

function resetStats(s: TextStats, length: number): void {
  s.length = length;
  s.digits = s.upper = s.at = s.percent = s.dots = s.dashes = s.underscores = s.equals = s.colons = s.spaces = s.plus = 0;
}

// One switch over a code unit or byte; returns true when the unit needs the normalising view.
function count(s: TextStats, c: number): boolean {
  if (c >= 0x30 && c <= 0x39) s.digits++;
  else if (c >= 0x41 && c <= 0x5a) s.upper++;
  else if (c >= 0x61 && c <= 0x7a) return false;
  else if (c === 0x20) s.spaces++;
  else if (c === 0x2e) s.dots++;
  else if (c === 0x2d) s.dashes++;
  else if (c === 0x5f) s.underscores++;
  else if (c === 0x40) s.at++;
  else if (c === 0x3d) s.equals++;
  else if (c === 0x3a) s.colons++;
  else if (c === 0x25) s.percent++;
  else if (c === 0x2b) s.plus++;
  else if (c === 0x1b || c >= 0x80) return true;
  return false;
}

/** Counts the gate features of a string; true when it holds escapes or non-ASCII (view needed). */
export function statsOfString(text: string, s: TextStats): boolean {
  const n = text.length;
  resetStats(s, n);
  let special = false;
  for (let i = 0; i < n; i++) if (count(s, text.charCodeAt(i))) special = true;
  return special;
}

/** Same as statsOfString over raw bytes, so Buffer values with nothing to find are never decoded. */
export function statsOfBytes(bytes: Uint8Array, s: TextStats): boolean {
  const n = bytes.length;
  resetStats(s, n);
  let special = false;
  for (let i = 0; i < n; i++) if (count(s, bytes[i]!)) special = true;
  return special;
}

const DROP = -1;
const KEEP = -2;
const invisible = /^[\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}]$/u;
const decimalDigit = /^\p{Nd}$/u;
const mapCache = new Map<number, number>();

function isDash(cp: number): boolean {
  return (cp >= 0x2010 && cp <= 0x2015) || cp === 0x2212 || cp === 0xfe58 || cp === 0xfe63 || cp === 0xff0d;
}

// Decimal digits come in contiguous runs of ten starting at zero, so a digit's value is its distance
// from the start of its run, modulo ten (the mathematical digits are five runs back to back).
function digitValue(cp: number): number {
  let start = cp;
  while (start > 0 && decimalDigit.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

function mapCodePointUncached(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (invisible.test(ch)) return DROP;
  if (isDash(cp)) return 0x2d;
  // Ideographic full stops are dots to IDNA (UTS 46), so alice@example。com is an address.
  if (cp === 0x3002 || cp === 0xff61) return 0x2e;
  if (decimalDigit.test(ch)) return 0x30 + digitValue(cp);
  const nfkc = ch.normalize('NFKC');
  if (nfkc.length === 1) {
    const c = nfkc.charCodeAt(0);
    if (c >= 0x20 && c < 0x7f) return c;
  }
  if (/^\s$/u.test(ch)) return 0x20;
  return KEEP;
}

function mapCodePoint(cp: number): number {
  // CJK ideographs and Hangul syllables: nothing to fold, and too many to cache one by one.
  if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7a3)) return KEEP;
  let m = mapCache.get(cp);
  if (m === undefined) {
    m = mapCodePointUncached(cp);
    if (mapCache.size > 8192) mapCache.clear();
    mapCache.set(cp, m);
  }
  return m;
}

/** End (exclusive) of the escape sequence starting at `i` (text[i] is ESC or C1 CSI). */
function escapeEnd(text: string, i: number): number {
  const n = text.length;
  let j = i + 1;
  if (text.charCodeAt(i) === 0x9b || text.charCodeAt(j) === 0x5b) {
    if (text.charCodeAt(i) !== 0x9b) j++;
    while (j < n && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x3f) j++;
    while (j < n && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
    const f = text.charCodeAt(j);
    return f >= 0x40 && f <= 0x7e ? j + 1 : j;
  }
  // OSC and string controls: drop only the introducer so their content is still scanned.
  if (text.charCodeAt(j) === 0x5d) return j + 1;
  while (j < n && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
  const f = text.charCodeAt(j);
  return f >= 0x30 && f <= 0x7e ? j + 1 : j;
}

/** Builds the detection view; `needsView` comes from statsOfString (false: the text is its own view). */
export function buildView(text: string, needsView: boolean): TextView {
  if (!needsView) return { text, starts: null, ends: null };
  const n = text.length;
  const out = new Uint16Array(n);
  const starts = new Int32Array(n + 1);
  const ends = new Int32Array(n + 1);
  let k = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 0x80 && c !== 0x1b) {
      out[k] = c;
      starts[k] = i;
      ends[k++] = ++i;
      continue;
    }
    if (c === 0x1b || c === 0x9b) {
      i = escapeEnd(text, i);
      continue;
    }
    let cp = c;
    let w = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        w = 2;
      }
    }
    const m = mapCodePoint(cp);
    if (m === KEEP) {
      for (let u = 0; u < w; u++) {
        out[k] = text.charCodeAt(i + u);
        starts[k] = i;
        ends[k++] = i + w;
      }
    } else if (m !== DROP) {
      out[k] = m;
      starts[k] = i;
      ends[k++] = i + w;
    }
    i += w;
  }
  starts[k] = n;
  ends[k] = n;
  const viewText = Buffer.from(out.buffer, 0, k * 2).toString('utf16le');
  return { text: viewText, starts: starts.subarray(0, k + 1), ends: ends.subarray(0, k + 1) };
}

/** Maps a view span back to the original text's [start, end). */
export function toOriginal(view: TextView, start: number, end: number): [number, number] {
  if (view.starts === null || view.ends === null) return [start, end];
  const s = view.starts[start] ?? view.text.length;
  const e = end > start ? (view.ends[end - 1] ?? s) : s;
  return [s, e];
}

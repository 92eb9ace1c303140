import type { ColumnPlan } from './row-masker.js';
import type { MaskStats } from './row-masker.js';

const TAB = 0x09;
const NL = 0x0a;
const BS = 0x5c;
const NULL_MARK = Buffer.from('\\N');

const SIMPLE_ESCAPES: Readonly<Record<number, number>> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };

/** Decodes one field of COPY's text format (backslash escapes) into its value bytes. */
export function decodeCopyField(field: Buffer): Buffer {
  if (!field.includes(BS)) return field;
  const out: number[] = [];
  for (let i = 0; i < field.length; i++) {
    const c = field[i] ?? 0;
    if (c !== BS || i + 1 >= field.length) {
      out.push(c);
      continue;
    }
    const n = field[++i] ?? 0;
    const simple = SIMPLE_ESCAPES[n];
    if (simple !== undefined) out.push(simple);
    else if (n >= 0x30 && n <= 0x37) {
      let v = n - 0x30;
      for (let k = 0; k < 2 && (field[i + 1] ?? 0) >= 0x30 && (field[i + 1] ?? 0) <= 0x37; k++) v = v * 8 + ((field[++i] ?? 0x30) - 0x30);
      out.push(v & 0xff);
    } else if (n === 0x78 && /^[0-9a-fA-F]/.test(String.fromCharCode(field[i + 1] ?? 0))) {
      let hex = String.fromCharCode(field[++i] ?? 0);
      if (/^[0-9a-fA-F]$/.test(String.fromCharCode(field[i + 1] ?? 0))) hex += String.fromCharCode(field[++i] ?? 0);
      out.push(parseInt(hex, 16));
    } else out.push(n);
  }
  return Buffer.from(out);
}

/** Encodes value bytes as a COPY text field. */
export function encodeCopyField(value: Buffer): Buffer {
  let needs = false;
  for (const c of value) if (c === BS || c === TAB || c === NL || c === 0x0d) needs = true;
  if (!needs) return value;
  const out: number[] = [];
  for (const c of value) {
    if (c === BS) out.push(BS, BS);
    else if (c === TAB) out.push(BS, 0x74);
    else if (c === NL) out.push(BS, 0x6e);
    else if (c === 0x0d) out.push(BS, 0x72);
    else out.push(c);
  }
  return Buffer.from(out);
}

/**
 * Masks one row of COPY TO's text format (tab-separated, `\N` for NULL, newline-terminated).
 * Returns the new row, or undefined when nothing changed.
 */
export function maskCopyTextRow(data: Buffer, cp: ColumnPlan, stats: MaskStats): Buffer | undefined {
  const body = data.length > 0 && data[data.length - 1] === NL ? data.subarray(0, data.length - 1) : data;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === TAB) {
      parts.push(body.subarray(start, i));
      start = i + 1;
    }
  }
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const field = parts[i] as Buffer;
    if (field.equals(NULL_MARK)) continue;
    const masker = cp.maskers[i];
    const value = decodeCopyField(field);
    const r = masker === undefined ? { changed: true, withheld: true, value: Buffer.from('[WITHHELD]'), action: undefined, findings: [] } : masker(value);
    if (!r.changed) continue;
    changed = true;
    parts[i] = r.value === null ? NULL_MARK : encodeCopyField(r.value);
    stats.note(cp.labels[i] ?? `#${i + 1}`, r);
  }
  if (!changed) return undefined;
  stats.rows++;
  const joined: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) joined.push(Buffer.from([TAB]));
    joined.push(p);
  });
  if (body !== data) joined.push(Buffer.from([NL]));
  return Buffer.concat(joined);
}

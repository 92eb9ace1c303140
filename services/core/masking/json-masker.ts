import type { DetectorSet, TextMaskResult } from './detector-set.js';
import { maskText } from './detector-set.js';

/** A masked JSON value; `masked` counts replaced strings (detector matches, secret keys, Secret data). */
export interface JsonMaskResult {
  readonly value: unknown;
  readonly changed: boolean;
  readonly masked: number;
}

export const SECRET_VALUE = '[REDACTED:k8s-secret]';
// Secret.data must stay valid base64 or kubectl refuses the object; this decodes to SECRET_VALUE.
export const SECRET_DATA_BASE64 = Buffer.from(SECRET_VALUE).toString('base64');
export const KEY_VALUE = '[REDACTED:json-key]';
export const WITHHELD = '[WITHHELD]';
const MAX_DEPTH = 128;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// The last word of a key decides: clientSecret, bearerToken, apiKey are secrets; secretName is not.
const secretLastWord = /^(?:password|passwd|passphrase|pwd|secret|token|credentials?|authorization|cookie)$/;
const keyQualifiers = /^(?:api|access|private|secret|signing|encryption|session)$/;

/** True for object keys whose string values are secrets by name (password, clientSecret, apiKey). */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  const last = words.at(-1);
  if (last === undefined) return false;
  if (secretLastWord.test(last)) return true;
  const prev = words.at(-2);
  return (last === 'key' && prev !== undefined && keyQualifiers.test(prev)) || last === 'apikey';
}

interface Walk {
  readonly set: DetectorSet;
  masked: number;
}

function maskSecretData(data: unknown, replacement: string, w: Walk): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    out[key] = replacement;
    w.masked++;
  }
  return out;
}

function maskString(s: string, w: Walk): string {
  const r = maskText(s, w.set);
  w.masked += r.findings.length;
  return r.text;
}

function maskObject(obj: Record<string, unknown>, w: Walk, depth: number, secretObject: boolean): Record<string, unknown> {
  const isSecret = secretObject || obj.kind === 'Secret';
  const isSecretList = obj.kind === 'SecretList';
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    let m: unknown;
    if (isSecret && key === 'data') m = maskSecretData(v, SECRET_DATA_BASE64, w);
    else if (isSecret && key === 'stringData') m = maskSecretData(v, SECRET_VALUE, w);
    else if (isSecretList && key === 'items' && Array.isArray(v)) m = v.map((item) => walk(item, w, depth + 1, true));
    else if (key === LAST_APPLIED && typeof v === 'string') m = maskEmbeddedJson(v, w);
    else if (typeof v === 'string' && v !== '' && isSecretKey(key)) {
      m = KEY_VALUE;
      w.masked++;
    } else m = walk(v, w, depth + 1, false);
    if (m !== v) (out ??= { ...obj })[key] = m;
  }
  return out ?? obj;
}

// last-applied-configuration holds the whole manifest as a string, Secret data included.
function maskEmbeddedJson(text: string, w: Walk): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return maskString(text, w);
  }
  const m = walk(parsed, w, 1, false);
  return m === parsed ? text : JSON.stringify(m);
}

function walk(v: unknown, w: Walk, depth: number, secretObject: boolean): unknown {
  if (depth > MAX_DEPTH) {
    w.masked++;
    return WITHHELD;
  }
  if (typeof v === 'string') return maskString(v, w);
  // A card number can travel as a JSON number; masked, it becomes a string.
  if (typeof v === 'number' && Math.abs(v) >= 1e12) {
    const s = maskString(String(v), w);
    return s === String(v) ? v : s;
  }
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const arr: readonly unknown[] = v;
    let out: unknown[] | undefined;
    arr.forEach((item, i) => {
      const m = walk(item, w, depth + 1, false);
      if (m !== item) (out ??= [...arr])[i] = m;
    });
    return out ?? v;
  }
  return maskObject(v as Record<string, unknown>, w, depth, secretObject);
}

/** Masks a parsed JSON value (Kubernetes bodies): copy-on-write, the input is never mutated. */
export function maskJson(value: unknown, set: DetectorSet): JsonMaskResult {
  const w: Walk = { set, masked: 0 };
  const out = walk(value, w, 0, false);
  return { value: out, changed: out !== value, masked: w.masked };
}

/**
 * Masks JSON text: one document, or newline-delimited documents (watch streams). Text that is not
 * JSON still goes through the content detectors, so a truncated body is masked, not passed raw.
 */
export function maskJsonText(text: string, set: DetectorSet): TextMaskResult {
  try {
    const r = maskJson(JSON.parse(text), set);
    return r.changed ? { text: JSON.stringify(r.value), findings: [] } : { text, findings: [] };
  } catch {
    if (!text.includes('\n')) return maskText(text, set);
  }
  let changed = false;
  const lines = text.split('\n').map((line) => {
    const m = line.trim() === '' ? line : maskJsonText(line, set).text;
    if (m !== line) changed = true;
    return m;
  });
  return changed ? { text: lines.join('\n'), findings: [] } : { text, findings: [] };
}

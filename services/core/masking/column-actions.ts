import { createHmac } from 'node:crypto';
import type { CompiledColumnRule } from './column-rules.js';

export const REDACTED = '****';

/** Keyed pseudonyms: the same input and key always give the same hex, so masked columns still join. */
export interface Hasher {
  hash(value: Buffer | string): string;
}

/** HMAC-SHA256 with the profile's key, hex, truncated to `hexLength` (default 16: 64 bits). */
export function createHasher(key: Buffer, hexLength: number): Hasher {
  return { hash: (value) => createHmac('sha256', key).update(value).digest('hex').slice(0, hexLength) };
}

/** Keeps the last `keep` characters when the value is over twice as long; otherwise hides it whole. */
export function partial(text: string, keep: number): string {
  const chars = Array.from(text);
  if (keep === 0 || chars.length <= keep * 2) return REDACTED;
  return '*'.repeat(chars.length - keep) + chars.slice(-keep).join('');
}

/** `****@domain` for an address; anything else is redacted whole (it is not an address to keep). */
export function keepDomain(text: string): string {
  const at = text.lastIndexOf('@');
  const domain = at === -1 ? '' : text.slice(at + 1).trim();
  const dot = domain.lastIndexOf('.');
  // No regex here: a backtracking check on a long dotted value would be quadratic.
  const ok = domain.length <= 253 && dot > 0 && domain.length - dot > 2 && !/[\s@]/.test(domain);
  return ok ? `****@${domain}` : REDACTED;
}

/**
 * What a rule makes of a value: a string, null (SQL NULL), or undefined when the rule needs text
 * and the value has none (the caller withholds it).
 */
export function applyRule(rule: CompiledColumnRule, raw: Buffer | string, text: string | undefined, hasher: Hasher | undefined): string | null | undefined {
  switch (rule.action) {
    case 'redact':
      return REDACTED;
    case 'null':
      return null;
    case 'hash':
      return hasher === undefined ? undefined : hasher.hash(raw);
    case 'partial':
      return text === undefined ? undefined : partial(text, rule.keep);
    case 'email':
      return text === undefined ? undefined : keepDomain(text);
  }
}

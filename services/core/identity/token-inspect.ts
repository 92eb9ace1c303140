import { decodeJwt, decodeProtectedHeader, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { TollgateError } from '../errors.js';

/** What can be read from a token before its signature is checked: enough to pick an issuer, no more. */
export interface UnverifiedToken {
  header: JWSHeaderParameters;
  issuer: string;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const COMPACT_JWE = /^(?:[A-Za-z0-9_-]*\.){4}[A-Za-z0-9_-]*$/;

/** Rejects a token with a reason, never quoting the token itself. */
export function tokenError(message: string, context: Record<string, unknown> = {}, cause?: unknown): TollgateError {
  return new TollgateError('TG_ERR_AUTH_TOKEN', message, cause === undefined ? { context } : { cause, context });
}

// Line breaks (C0, C1, U+2028/2029), terminal escapes and bidi overrides: with them a token could
// forge log lines or disguise text wherever a message is printed.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** True when text carries a character that {@link printable} would replace. */
export function hasUnprintable(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text);
}

/** Text that may hold attacker-chosen parts, made safe for one line of a message and bounded. */
export function printable(text: string, max = 120): string {
  const clean = text.replace(UNPRINTABLE, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

/** Quotes an attacker-chosen claim value safely for an error message (no control characters, bounded). */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return `"${printable(text)}"`;
}

/** Formats a NumericDate (seconds) for a message; out-of-range values must not throw. */
export function isoSeconds(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return 'an invalid time';
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} (out of range)` : date.toISOString();
}

/**
 * Checks size and shape, then decodes header and payload without trusting them. The size check
 * runs first so an oversized token costs a length comparison, not a base64 decode.
 */
export function inspectToken(token: unknown, maxBytes: number): UnverifiedToken {
  if (typeof token !== 'string' || token.length === 0) throw tokenError('no token was presented');
  if (token.length > maxBytes) {
    throw tokenError(`token is ${token.length} bytes; the limit is ${maxBytes}`, { bytes: token.length });
  }
  if (!COMPACT_JWS.test(token)) {
    if (COMPACT_JWE.test(token)) throw tokenError('encrypted tokens (JWE) are not accepted; present a signed JWT');
    throw tokenError('token is not a signed JWT (expected three base64url parts separated by dots)');
  }
  let header: JWSHeaderParameters;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch (err) {
    throw tokenError('token is malformed: its header or payload is not base64url-encoded JSON', {}, err);
  }
  if (typeof header.alg !== 'string') throw tokenError('token header has no "alg"');
  if (header.alg.toLowerCase() === 'none') throw tokenError('unsigned tokens (alg "none") are never accepted');
  if (typeof payload.iss !== 'string' || payload.iss === '') throw tokenError('token has no "iss" (issuer) claim');
  return { header, issuer: payload.iss };
}

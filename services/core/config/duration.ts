import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses "250ms", "30s", "5m", "1h", "7d" into milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (m === null) return undefined;
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/**
 * A duration: a string with a unit ("30s", "1h") or a bare number of milliseconds. Units are
 * required in strings because "30" alone is ambiguous (seconds? ms?) and guessing wrong on a
 * timeout or a token lifetime is a silent bug.
 */
export const duration = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const ms = parseDurationMs(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as "30s", "5m", "1h" or a number of ms, got "${v.slice(0, 40)}"` });
    return z.NEVER;
  }
  return ms;
});

const SIZE_UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kib|mib|gib|kb|mb|gb)$/i;

/** A byte size: "64MiB", "16KiB", "1GB" or a bare number of bytes. */
export const byteSize = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = SIZE.exec(v.trim());
  const bytes = m === null ? Number.NaN : Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? Number.NaN);
  if (!Number.isFinite(bytes)) {
    ctx.addIssue({ code: 'custom', message: `expected a size such as "16KiB", "64MiB" or a number of bytes, got "${v.slice(0, 40)}"` });
    return z.NEVER;
  }
  return Math.round(bytes);
});

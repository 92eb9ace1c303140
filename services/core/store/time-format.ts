/**
 * Time values for DateTime64/DateTime/Date fields, formatted as 'YYYY-MM-DD hh:mm:ss.ffffff' (UTC).
 * Bare integers are ambiguous to ClickHouse's text parser (a short number reads as a broken date),
 * so the store always sends the full form. Frames arrive in time order, so the date-and-seconds
 * prefix is cached and most rows only format their fraction.
 */

const MICROS_PER_SECOND = 1_000_000n;
const MIN_SECOND = -2_208_988_800; // 1900-01-01, DateTime64's lower bound
const MAX_SECOND = 10_413_792_000; // 2300-01-01, past DateTime64's upper bound of 2299-12-31

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * Formats epoch microseconds (number or bigint), a Date, or an already formatted string; returns
 * undefined for anything else. `scale` is the number of fraction digits (0 for DateTime).
 */
export function formatDateTime(value: unknown, scale: number): string | undefined {
  if (typeof value === 'string') return DATETIME_TEXT.test(value) ? value.replace('T', ' ') : undefined;
  let seconds: number;
  let fraction: number;
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    seconds = Math.floor(value / 1e6);
    fraction = value - seconds * 1e6;
  } else if (typeof value === 'bigint') {
    const whole = value / MICROS_PER_SECOND - (value % MICROS_PER_SECOND < 0n ? 1n : 0n);
    seconds = Number(whole);
    fraction = Number(value - whole * MICROS_PER_SECOND);
  } else if (value instanceof Date && !Number.isNaN(value.getTime())) {
    seconds = Math.floor(value.getTime() / 1000);
    fraction = (value.getTime() - seconds * 1000) * 1000;
  } else {
    return undefined;
  }
  const prefix = secondPrefix(seconds);
  if (prefix === undefined) return undefined;
  if (scale === 0) return prefix;
  return `${prefix}.${String(fraction).padStart(6, '0').slice(0, Math.min(scale, 6)).padEnd(scale, '0')}`;
}

/** Formats a Date, epoch milliseconds or 'YYYY-MM-DD' as a Date field; undefined for anything else. */
export function formatDate(value: unknown): string | undefined {
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(ms)) return undefined;
  return secondPrefix(Math.floor(ms / 1000))?.slice(0, 10);
}

const DATETIME_TEXT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;

function secondPrefix(second: number): string | undefined {
  if (second === cachedSecond) return cachedPrefix;
  if (second < MIN_SECOND || second >= MAX_SECOND) return undefined;
  const iso = new Date(second * 1000).toISOString();
  cachedSecond = second;
  cachedPrefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return cachedPrefix;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime } from './time-format.js';

const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

describe('formatDateTime', () => {
  it('agrees for number, bigint and Date inputs at every scale', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000_000, max: 9_000_000_000_000 }), fc.integer({ min: 0, max: 999 }), (ms, extra) => {
        const micros = ms * 1000 + extra;
        const six = formatDateTime(micros, 6);
        expect(six).toBe(`${iso(ms)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}${String(extra).padStart(3, '0')}`);
        expect(formatDateTime(BigInt(micros), 6)).toBe(six);
        expect(formatDateTime(new Date(ms), 3)).toBe(six?.slice(0, -3));
        expect(formatDateTime(micros, 0)).toBe(iso(ms));
      }),
    );
  });

  it('accepts formatted text and refuses everything else', () => {
    expect(formatDateTime('2026-01-02T03:04:05.123456', 6)).toBe('2026-01-02 03:04:05.123456');
    for (const bad of ['', '2026-01-02', "2026-01-02 03:04:05'); DROP", 1.5, null, {}, [], new Date(Number.NaN), 10n ** 30n]) {
      expect(formatDateTime(bad, 6)).toBeUndefined();
    }
  });
});

describe('formatDate', () => {
  it('formats Dates and epoch milliseconds as UTC days', () => {
    expect(formatDate(new Date(Date.UTC(2026, 0, 31, 23, 59)))).toBe('2026-01-31');
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate('2026-02-03')).toBe('2026-02-03');
    expect(formatDate('tomorrow')).toBeUndefined();
  });
});

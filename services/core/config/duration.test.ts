import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteSize, duration, parseDurationMs } from './duration.js';

describe('durations and sizes', () => {
  it('parses each unit', () => {
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('1.5m')).toBe(90_000);
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('7d')).toBe(7 * 86_400_000);
    expect(byteSize.parse('16KiB')).toBe(16384);
    expect(byteSize.parse('1MB')).toBe(1_000_000);
  });

  it.each(['30', '', 's', '-1s', '1 hour', '1e3s', '1h30m'])('rejects %j', (text) => {
    expect(duration.safeParse(text).success).toBe(false);
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), (s) => { duration.safeParse(s); byteSize.safeParse(s); }));
  });
});

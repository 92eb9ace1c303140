import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMaskingProfile } from '../../core/masking/index.js';
import { decodeCopyField, encodeCopyField, maskCopyTextRow } from './copy-text.js';
import { columnPlan, MaskStats } from './row-masker.js';

describe('COPY text format', () => {
  it('round-trips any bytes through field encoding', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const b = Buffer.from(bytes);
      expect(decodeCopyField(encodeCopyField(b))).toEqual(b);
    }));
  });

  it('decodes PostgreSQL escapes (octal, hex, control letters, escaped backslash)', () => {
    expect(decodeCopyField(Buffer.from('a\\tb\\n\\\\\\101\\x42\\q')).toString()).toBe('a\tb\n\\ABq');
    expect(decodeCopyField(Buffer.from('trailing\\')).toString()).toBe('trailing\\');
  });

  it('masks by column position, keeps NULL markers and the row terminator', () => {
    const plan = compileMaskingProfile({ columns: [{ column: 't.email' }], detectors: ['card'] });
    const cp = columnPlan(plan, [{ table: 't', name: 'id' }, { table: 't', name: 'email' }, { table: 't', name: 'note' }], ['text', 'text', 'text']);
    const stats = new MaskStats();
    const out = maskCopyTextRow(Buffer.from('1\ta@b.co\tcard 4111\\t1111 1111 1111\n'), cp, stats);
    // Detectors see the decoded value (a tab inside the card), and the masked value is re-escaped.
    expect(out?.toString()).toBe('1\t****\tcard ****\\t**** **** 1111\n');
    expect(maskCopyTextRow(Buffer.from('2\t\\N\t4111 1111 1111 1111\n'), cp, stats)?.toString()).toBe('2\t\\N\t**** **** **** 1111\n');
    expect(maskCopyTextRow(Buffer.from('3\t\\N\tnothing\n'), cp, stats)).toBeUndefined();
    expect(stats.rows).toBe(2);
  });

  it('withholds fields beyond the known columns (a row wider than its description)', () => {
    const plan = compileMaskingProfile({ detectors: ['card'] });
    const cp = columnPlan(plan, [{ name: 'a' }], ['text']);
    expect(maskCopyTextRow(Buffer.from('x\tsecret\n'), cp, new MaskStats())?.toString()).toBe('x\t[WITHHELD]\n');
  });
});

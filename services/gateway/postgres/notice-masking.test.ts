import { describe, expect, it } from 'vitest';
import { compileMaskingProfile } from '../../core/masking/index.js';
import { maskNoticeFields } from './notice-masking.js';
import { noticeFields } from './protocol/index.js';

const plan = compileMaskingProfile({ columns: [{ column: 'customers.email' }], detectors: ['card', 'email'] });

describe('masking server errors and notices', () => {
  it('hides the values of a key detail when a column rule matches one of its columns', () => {
    const fields = noticeFields({ severity: 'ERROR', code: '23505', message: 'duplicate key', detail: 'Key (email)=(x-no-detector) already exists.', table: 'customers', schema: 'public' });
    expect(maskNoticeFields(fields, plan)?.get('D')).toBe('Key (email)=(****) already exists.');
  });

  it('handles quoted and multi-column keys', () => {
    const fields = noticeFields({ severity: 'ERROR', code: '23505', message: 'dup', detail: 'Key (id, "email")=(1, zzz) already exists.', table: 'customers' });
    expect(maskNoticeFields(fields, plan)?.get('D')).toBe('Key (id, "email")=(****) already exists.');
  });

  it('hides a failing row whole when the plan has column rules (its values have no names)', () => {
    const fields = noticeFields({ severity: 'ERROR', code: '23502', message: 'null value', detail: 'Failing row contains (1, null, zzz).', table: 'customers' });
    expect(maskNoticeFields(fields, plan)?.get('D')).toBe('Failing row contains (****).');
  });

  it('runs detectors over message, detail, hint, context and internal query', () => {
    const fields = noticeFields({ severity: 'NOTICE', code: '00000', message: 'card 4111 1111 1111 1111', hint: 'mail bob@example.org', where: 'PL/pgSQL 4111111111111111' });
    const out = maskNoticeFields(fields, plan);
    expect(out?.get('M')).toBe('card **** **** **** 1111');
    expect(out?.get('H')).toBe('mail ****@****');
    expect(out?.get('W')).not.toContain('4111111111111111');
  });

  it('returns undefined when nothing needs masking (the raw frame is forwarded)', () => {
    const fields = noticeFields({ severity: 'ERROR', code: '42P01', message: 'relation "nope" does not exist' });
    expect(maskNoticeFields(fields, plan)).toBeUndefined();
  });

  it('leaves a key detail alone when no rule matches its columns', () => {
    const fields = noticeFields({ severity: 'ERROR', code: '23505', message: 'dup', detail: 'Key (id)=(5) already exists.', table: 'customers' });
    expect(maskNoticeFields(fields, plan)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { compileColumnRules } from './column-rules.js';
import { compileMaskingProfile } from './plan.js';

const KEY = 'k'.repeat(32);

describe('column rules', () => {
  const rules = compileColumnRules([
    { column: 'public.users.ssn', action: 'redact' },
    { column: 'users.card', action: 'partial' },
    { column: '*email*', action: 'email' },
    { column: '"Secret Notes"', action: 'null' },
    { column: '/^(api|access)_?key$/', action: 'hash' },
    { column: '*.phone', action: 'redact' },
  ]);
  const rule = (name: string, table?: string, schema?: string) => rules.match({ name, table, schema })?.source;

  it('matches column name tricks case-insensitively', () => {
    for (const name of ['email', 'EMAIL', 'Email', 'email_address', 'user_email', 'eMail_Backup']) expect(rule(name, 'users')).toBe('*email*');
    expect(rule('e_mail')).toBeUndefined();
  });
  it('qualified rules need the qualifying parts', () => {
    expect(rule('ssn', 'users', 'public')).toBe('public.users.ssn');
    expect(rule('ssn', 'USERS', 'Public')).toBe('public.users.ssn');
    expect(rule('ssn', 'users', 'audit')).toBeUndefined();
    expect(rule('ssn', 'users')).toBeUndefined();
    expect(rule('card', 'users', 'anything')).toBe('users.card');
    expect(rule('card', 'orders')).toBeUndefined();
  });
  it('a bare * part also matches an unknown table (computed columns fail closed)', () => {
    expect(rule('phone')).toBe('*.phone');
    expect(rule('phone', 'contacts')).toBe('*.phone');
  });
  it('quoted identifiers and regex rules', () => {
    expect(rule('secret notes', 't')).toBe('"Secret Notes"');
    expect(rule('API_KEY')).toBe('/^(api|access)_?key$/');
    expect(rule('accesskey')).toBe('/^(api|access)_?key$/');
    expect(rule('monkey')).toBeUndefined();
  });
  it('first matching rule wins', () => {
    const r = compileColumnRules([{ column: 'users.email', action: 'hash' }, { column: '*email*', action: 'redact' }]);
    expect(r.match({ name: 'email', table: 'users' })?.action).toBe('hash');
    expect(r.match({ name: 'email', table: 'orders' })?.action).toBe('redact');
  });
  it.each([
    ['a.b.c.d', /schema.table.column/],
    ['users..email', /schema.table.column/],
    ['"unterminated', /unterminated double quote/],
    ['/[/', /not a valid regular expression/],
  ])('rejects bad pattern %s with a config error', (column, message) => {
    let err: unknown;
    try {
      compileColumnRules([{ column }]);
    } catch (e) {
      err = e;
    }
    expect(isTollgateError(err, 'TG_ERR_CONFIG')).toBe(true);
    expect(String((err as Error).message)).toMatch(message);
  });
  it('rejects an unknown action and a bad keep', () => {
    expect(() => compileColumnRules([{ column: 'x', action: 'shred' as never }])).toThrow(/unknown action "shred"/);
    expect(() => compileColumnRules([{ column: 'x', action: 'partial', keep: -1 }])).toThrow(/keep/);
  });
});

describe('masking plan: values', () => {
  const plan = compileMaskingProfile(
    {
      columns: [
        { column: 'users.ssn', action: 'redact' },
        { column: 'users.card', action: 'partial', keep: 4 },
        { column: 'users.email', action: 'email' },
        { column: 'users.customer_id', action: 'hash' },
        { column: 'users.dob', action: 'null' },
      ],
      detectors: ['all'],
    },
    { hashKey: KEY },
  );
  const users = (name: string, format?: 'text' | 'binary') => ({ table: 'users', name, format });

  it('applies each action and keeps the input kind', () => {
    expect(plan.maskValue(Buffer.from('123-45-6789'), users('ssn')).value).toEqual(Buffer.from('****'));
    expect(plan.maskValue('4111111111111111', users('card')).value).toBe('************1111');
    expect(plan.maskValue('Alice@Example.com', users('email')).value).toBe('****@Example.com');
    expect(plan.maskValue('not an address', users('email')).value).toBe('****');
    expect(plan.maskValue('a@b.', users('email')).value).toBe('****');
    expect(plan.maskValue('a@' + 'x.'.repeat(50_000) + 'c', users('email')).value).toBe('****');
    expect(plan.maskValue('1990-01-01', users('dob'))).toMatchObject({ value: null, changed: true, action: 'null' });
  });

  it('columnMasker resolves the rule once and masks like maskValue', () => {
    const card = plan.columnMasker(users('card'));
    const note = plan.columnMasker(users('note'));
    expect(card(Buffer.from('4111111111111111')).value?.toString()).toBe('************1111');
    expect(note(Buffer.from('x a@b.co')).value?.toString()).toBe('x ****@****');
    expect(plan.columnMasker()(Buffer.from('plain')).changed).toBe(false);
    expect(note(Buffer.from([0xc3]))).toMatchObject({ withheld: true });
  });

  it('partial hides short values whole rather than keep most of them', () => {
    expect(plan.maskValue('12345', users('card')).value).toBe('****');
  });

  it('hash is a stable keyed pseudonym: same input same output, key matters, text and bytes agree', () => {
    const a = plan.maskValue('cust-42', users('customer_id')).value;
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(plan.maskValue(Buffer.from('cust-42'), users('customer_id')).value?.toString()).toBe(a);
    expect(plan.maskValue('cust-43', users('customer_id')).value).not.toBe(a);
    const other = compileMaskingProfile({ columns: [{ column: 'users.customer_id', action: 'hash' }] }, { hashKey: 'x'.repeat(32) });
    expect(other.maskValue('cust-42', users('customer_id')).value).not.toBe(a);
  });

  it('columns without a rule go through the detectors; untouched values are the same object', () => {
    const clean = Buffer.from('just a note');
    const r = plan.maskValue(clean, users('note'));
    expect(r.value).toBe(clean);
    expect(r.changed).toBe(false);
    const hit = plan.maskValue(Buffer.from('mail alice@example.com'), users('note'));
    expect(hit.value?.toString()).toBe('mail ****@****');
    expect(hit.findings.map((f) => f.detector)).toEqual(['email']);
  });

  it('invalid UTF-8 in a text value is withheld, never passed raw', () => {
    const bad = Buffer.from([0x61, 0x40, 0x62, 0x2e, 0x63, 0x6f, 0xff, 0xfe]);
    expect(plan.maskValue(bad, users('note'))).toMatchObject({ withheld: true, changed: true });
    expect(plan.maskValue(bad, users('note')).value?.toString()).toBe('[WITHHELD]');
    expect(plan.maskValue(bad, users('email'))).toMatchObject({ withheld: true });
    expect(plan.maskValue(bad, users('card'))).toMatchObject({ withheld: true });
    // Rules that need no text still apply.
    expect(plan.maskValue(bad, users('ssn')).value?.toString()).toBe('****');
  });

  it('invalid UTF-8 is withheld even with nothing to find: it cannot be read as text', () => {
    const bad = Buffer.from([0xff, 0xfe, 0x61]);
    expect(plan.maskValue(bad, users('note'))).toMatchObject({ withheld: true });
  });

  it('binary-format values: null rule gives NULL, other rules and any finding withhold as NULL', () => {
    const bin = Buffer.from([0, 0, 0, 42]);
    expect(plan.maskValue(bin, users('dob', 'binary'))).toMatchObject({ value: null, withheld: false });
    expect(plan.maskValue(bin, users('ssn', 'binary'))).toMatchObject({ value: null, withheld: true });
    expect(plan.maskValue(bin, users('note', 'binary'))).toMatchObject({ value: bin, changed: false });
    const bytea = Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from('AKIAIOSFODNN7EXAMPLE'), Buffer.from([0xff])]);
    expect(plan.maskValue(bytea, users('blob', 'binary'))).toMatchObject({ value: null, withheld: true });
  });

  it('maskBytes reads invalid UTF-8 as Latin-1 and splices the printable secret out', () => {
    const raw = Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from(' key AKIAIOSFODNN7EXAMPLE '), Buffer.from([0xfe])]);
    const r = plan.maskBytes(raw);
    expect(r.value?.toString('latin1')).toBe('\xff\x00 key [REDACTED:aws-key-id] \xfe');
    expect(plan.maskBytes(Buffer.from('ok')).changed).toBe(false);
  });

  it('a throwing detector withholds the value (fail closed)', () => {
    const p = compileMaskingProfile({ detectors: ['email'] });
    const detector = p.detectors.detectors[0]!;
    const original = detector.scan;
    (detector as { scan: typeof original }).scan = () => {
      throw new Error('boom');
    };
    try {
      expect(p.maskValue('alice@example.com')).toMatchObject({ value: '[WITHHELD]', withheld: true });
      expect(p.maskBytes(Buffer.from('alice@example.com'))).toMatchObject({ withheld: true });
      expect(p.maskText('alice@example.com').text).toBe('[WITHHELD]');
      expect(p.maskSqlLiterals("select 'alice@example.com'").text).toBe('[WITHHELD]');
      expect(p.maskJson({ a: 'alice@example.com' }).value).toBe('[WITHHELD]');
      const stream = p.createStreamMasker();
      expect(stream.push('mail alice@example.com '.repeat(20)).text + stream.flush().text).toBe('[WITHHELD]');
    } finally {
      (detector as { scan: typeof original }).scan = original;
    }
  });
});

describe('masking plan: configuration', () => {
  it('a hash rule needs a key of at least 16 bytes', () => {
    expect(() => compileMaskingProfile({ columns: [{ column: 'x', action: 'hash' }] })).toThrow(/no hash key/);
    expect(() => compileMaskingProfile({ columns: [{ column: 'x', action: 'hash' }] }, { hashKey: 'short' })).toThrow(/at least 16 bytes/);
    expect(() => compileMaskingProfile({}, { hashKey: KEY, hashLength: 4 })).toThrow(/hashLength/);
  });
  it('an empty profile changes nothing', () => {
    const p = compileMaskingProfile({});
    expect(p.maskValue('alice@example.com').changed).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { compileMaskingProfile, createStreamMasker } from './plan.js';

// Adversarial 100 KB inputs for every detector's trigger. No wall-time assertion: a quadratic scan
// of 100 KB takes minutes and trips the generous per-test timeout, a linear one takes milliseconds.
// The patterns are built so each run of a class is tried from one start only (see detectors-tokens.ts).
const plan = compileMaskingProfile({ detectors: ['all'] });
const N = 100_000;
const rep = (s: string): string => s.repeat(Math.ceil(N / s.length)).slice(0, N);

const inputs: Record<string, string> = {
  'local part then @': rep('a') + '@',
  'at signs': rep('@'),
  'a@ pairs': rep('a@'),
  '%40 runs': rep('%40'),
  'domain labels': '@' + rep('a.'),
  'quotes and at': rep('"@'),
  'digits': rep('4'),
  'spaced digits': rep('1 '),
  'dashed digit groups': rep('411-'),
  'spaced groups': rep('4111 '),
  'ssn shapes': rep('123-45-'),
  'nino shapes': rep('AB12 '),
  'iban shapes': rep('GB82 '),
  'upper run': rep('A'),
  'AKIA runs': rep('AKIA'),
  'base64 run': rep('aB3+'),
  'eyJ runs': rep('eyJ'),
  'eyJ segments': rep('eyJa.'),
  'dots': rep('.'),
  'ghp_ runs': rep('ghp_'),
  'xox runs': rep('xoxb-'),
  'sk_live runs': rep('sk_live_'),
  'AIza runs': rep('AIza'),
  'BEGIN markers': rep('-----BEGIN '),
  'dashes': rep('-'),
  'password= runs': rep('password='),
  'password=" runs': rep('password="'),
  'token: runs': rep('token: '),
  'bearer runs': rep('Bearer '),
  'scheme runs': rep('a://'),
  'url userinfo': 'a://b:' + rep('x'),
  'plus digits': rep('+1 '),
  'escape sequences': rep('\x1b['),
  'zero-width': rep('\u200b'),
  'full-width digits': rep('４'),
  'combining marks': rep('a\u0301'),
};

describe('linear time on adversarial input (100 KB each)', () => {
  for (const [name, text] of Object.entries(inputs)) {
    it(`maskText: ${name}`, { timeout: 5_000 }, () => {
      const r = plan.maskText(text);
      expect(typeof r.text).toBe('string');
    });
  }

  it('maskSqlLiterals on quote, dollar and comment floods', { timeout: 5_000 }, () => {
    for (const s of [rep("'"), rep("''"), rep('$a$'), rep('$'), rep('/*'), rep("E'\\"), rep('--'), rep('"')]) {
      expect(typeof plan.maskSqlLiterals(s).text).toBe('string');
    }
  });

  it('stream masker fed one byte at a time (20 KB without whitespace)', { timeout: 5_000 }, () => {
    const m = createStreamMasker(plan);
    let out = '';
    for (const ch of rep('x').slice(0, 20_000)) out += m.push(ch).text;
    out += m.flush().text;
    expect(out.length).toBe(20_000);
  });

  it('maskJson on deep nesting is withheld past the depth bound, not a stack overflow', () => {
    let deep: unknown = 'alice@example.com';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const r = plan.maskJson(deep);
    expect(JSON.stringify(r.value)).toContain('[WITHHELD]');
    expect(JSON.stringify(r.value)).not.toContain('alice');
  });
});

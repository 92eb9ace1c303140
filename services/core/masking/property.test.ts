import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDetectors, maskText } from './detector-set.js';

const all = compileDetectors(['all']);

function luhnComplete(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const n = body + String(d);
    let sum = 0;
    for (let i = 0; i < n.length; i++) {
      let v = Number(n[n.length - 1 - i]);
      if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return n;
  }
  throw new Error('unreachable');
}

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const card = fc.oneof(
  digits(14).map((d) => luhnComplete('4' + d)), // Visa 16
  digits(12).map((d) => luhnComplete('37' + d)), // Amex 15
  digits(14).map((d) => luhnComplete('5' + d)), // Mastercard 16
  digits(14).map((d) => luhnComplete('6' + d)),
);
const grouped = fc.tuple(card, fc.constantFrom(' ', '-', '', '\u00a0', '\u200b')).map(([c, sep]) => ({
  raw: c,
  text: c.length === 15 ? `${c.slice(0, 4)}${sep}${c.slice(4, 10)}${sep}${c.slice(10)}` : c.match(/.{4}/g)!.join(sep),
}));
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/);
const email = fc.tuple(word, fc.constantFrom('', '+tag', '.x'), word, fc.constantFrom('com', 'org', 'co.uk', 'io')).map(([l, t, d, tld]) => ({ raw: `${l}${t}@${d}.${tld}`, text: `${l}${t}@${d}.${tld}` }));
const b62 = (n: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${n}}$`));
const token = fc.oneof(
  b62(36).map((s) => `ghp_${s}`),
  fc.stringMatching(/^[A-Z0-9]{16}$/).map((s) => `AKIA${s}`),
  b62(24).map((s) => `sk_live_${s}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{35}$/).map((s) => `AIza${s}`),
  fc.tuple(b62(20), b62(30), b62(22)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
).map((t) => ({ raw: t, text: t }));

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const ssn = fc
  .tuple(fc.integer({ min: 1, max: 899 }).filter((a) => a !== 666), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 9999 }), fc.constantFrom('-', ' '))
  .map(([a, g, s, sep]) => ({ raw: `${pad(a, 3)}${sep}${pad(g, 2)}${sep}${pad(s, 4)}`, text: `${pad(a, 3)}${sep}${pad(g, 2)}${sep}${pad(s, 4)}` }));

// Filler that cannot merge with the secret into a longer token or digit run.
const filler = fc.array(fc.constantFrom('hello', 'the', 'value', 'is', ':', ',', '(', ')', '\n', 'naïve', '—', 'x y'), { maxLength: 8 }).map((a) => a.join(' '));

describe('property: masked output never contains the secret', () => {
  it.each([
    ['cards', grouped],
    ['emails', email],
    ['tokens', token],
    ['SSNs', ssn],
  ] as const)('%s embedded in random text', (_name, secret) => {
    fc.assert(
      fc.property(filler, secret, filler, (before, s, after) => {
        const out = maskText(`${before} ${s.text} ${after}`, all).text;
        expect(out).not.toContain(s.raw);
        if (/^[0-9]+$/.test(s.raw)) expect(out.replace(/[^0-9]/g, '')).not.toContain(s.raw);
      }),
      { numRuns: 300 },
    );
  });

  it('masking is idempotent on arbitrary unicode text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (text) => {
        const once = maskText(text, all).text;
        expect(maskText(once, all).text).toBe(once);
      }),
      { numRuns: 150 },
    );
  });

  it('text without findings is returned unchanged', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const r = maskText(text, all);
        if (r.findings.length === 0) expect(r.text).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

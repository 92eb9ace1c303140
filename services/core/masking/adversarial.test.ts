import { describe, expect, it } from 'vitest';
import { compileDetectors, maskText } from './detector-set.js';

// Inputs shaped to slip past the detectors; each test names the trick and asserts the secret is gone.
const all = compileDetectors(['all']);
const masked = (text: string): string => maskText(text, all).text;
const digitsOf = (s: string): string => s.replace(/[^0-9]/g, '');
const CARD = '4111111111111111';

describe('card disguises', () => {
  it.each([
    ['mixed separators', '4111-1111 1111-1111'],
    ['dots', '4111.1111.1111.1111'],
    ['zero-width spaces', '4111\u200b1111\u200b1111\u200b1111'],
    ['zero-width joiners between every digit', [...CARD].join('\u200d')],
    ['soft hyphens', '4111\u00ad1111\u00ad1111\u00ad1111'],
    ['non-breaking spaces', '4111\u00a01111\u00a01111\u00a01111'],
    ['narrow no-break and figure spaces', '4111\u202f1111\u20071111\u202f1111'],
    ['unicode dashes', '4111\u20131111\u20141111\u22121111'],
    ['full-width digits', '４１１１ １１１１ １１１１ １１１１'],
    ['Arabic-Indic digits', '٤١١١١١١١١١١١١١١١'],
    ['Devanagari digits', '४१११ ११११ ११११ ११११'],
    ['mathematical bold digits', '𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏'],
    ['combining marks on digits', [...CARD].join('\u0301')],
    ['ANSI colour codes between groups', '\x1b[31m4111\x1b[0m-\x1b[1m1111\x1b[0m-1111-1111'],
    ['letters glued on both sides', 'ref' + CARD + 'x'],
  ])('%s', (_trick, text) => {
    const out = masked(`card: ${text} end`);
    expect(digitsOf(out.normalize('NFKC'))).not.toContain(CARD);
    expect(out).toContain('1111');
    expect(out).not.toBe(`card: ${text} end`);
  });

  it('the replacement covers the disguise itself (no zero-width residue inside the span)', () => {
    const out = masked('x 4111\u200b1111\u200b1111\u200b1111 y');
    expect(out).toBe('x ************1111 y');
  });

  it('known gap, documented: digits spread one per space are not a card', () => {
    const spread = [...CARD].join(' ');
    expect(masked(spread)).toBe(spread);
  });
});

describe('email disguises', () => {
  it.each([
    ['plus tag', 'alice+shopping@example.com'],
    ['subdomain', 'alice@mail.eu.example.com'],
    ['upper case', 'ALICE@EXAMPLE.COM'],
    ['punycode domain', 'alice@xn--mnchen-3ya.de'],
    ['IDN domain', 'alice@münchen.de'],
    ['quoted local part', '"alice smith"@example.com'],
    ['URL-encoded at sign', 'alice%40example.com'],
    ['url-encoded upper', 'ALICE%40EXAMPLE.COM'],
    ['full-width at sign', 'alice＠example.com'],
    ['zero-width inside', 'ali\u200bce@exa\u200bmple.com'],
    ['inside JSON', '{"user":"alice@example.com"}'],
    ['inside a mailto link', '<a href="mailto:alice@example.com">'],
  ])('%s', (_trick, text) => {
    const out = masked(text);
    expect(out).toContain('****@****');
    expect(out.toLowerCase()).not.toContain('alice');
  });
});

describe('token disguises', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
  it('JWT inside JSON, inside a query string, after Bearer', () => {
    for (const text of [`{"id_token":"${jwt}"}`, `https://x/cb?token=${jwt}&y=1`, `Bearer ${jwt}`]) {
      expect(masked(text)).not.toContain('eyJzdWIiOiJhbGljZSJ9');
    }
  });
  it('full-width AWS key id', () => {
    const out = masked('ＡＫＩＡＩＯＳＦＯＤＮＮ７ＥＸＡＭＰＬＥ');
    expect(out).toBe('[REDACTED:aws-key-id]');
  });
  it('window title (OSC) content is scanned; charset escapes do not split a token', () => {
    expect(masked('\x1b]0;alice@example.com: ~\x07$ ')).toBe('\x1b]0;****@****: ~\x07$ ');
    expect(masked('AKIA\x1b(BIOSFODNN7EXAMPLE')).toBe('[REDACTED:aws-key-id]');
  });
  it('token wrapped in ANSI bold', () => {
    expect(masked('\x1b[1mghp_abcdefghijklmnopqrstuvwxyz0123456789\x1b[0m')).toBe('\x1b[1m[REDACTED:github-token]\x1b[0m');
  });
  it('known gap, documented: base64 of a secret is not decoded', () => {
    const b64 = Buffer.from('AKIAIOSFODNN7EXAMPLE').toString('base64');
    expect(masked(b64)).toBe(b64);
  });
  it('known gap, documented: Cyrillic look-alike letters are not folded', () => {
    const homoglyph = '\u0410KIAIOSFODNN7EXAMPLE'; // Cyrillic А
    expect(masked(homoglyph)).toBe(homoglyph);
  });
});

describe('odd input never breaks the masker', () => {
  it('lone surrogates, NUL and control bytes', () => {
    const text = '\ud800 alice@example.com \u0000\u0007 \udc00';
    expect(masked(text)).toBe('\ud800 ****@**** \u0000\u0007 \udc00');
  });
  it('escape sequence cut off at the end', () => {
    expect(masked('4111111111111111 \x1b[3')).toBe('************1111 \x1b[3');
  });
  it('empty and tiny strings', () => {
    for (const t of ['', '@', '4', '-----', 'a=b']) expect(masked(t)).toBe(t);
  });
  it('a megabyte of text with one secret at the very end', () => {
    const big = 'lorem ipsum dolor sit amet '.repeat(40_000) + 'alice@example.com';
    const out = masked(big);
    expect(out.endsWith('****@****')).toBe(true);
    expect(out.length).toBe(big.length - 'alice@example.com'.length + '****@****'.length);
  });
});

describe('review: separators and dots an attacker or an odd export might use', () => {
  it.each([
    ['tab-separated groups', '4111\t1111\t1111\t1111'],
    ['underscore-separated groups', 'card 4111_1111_1111_1111 on file'],
    ['slash-separated groups', '4111/1111/1111/1111'],
  ])('%s', (_what, text) => {
    expect(digitsOf(masked(text))).not.toContain(CARD);
    expect(digitsOf(masked(text))).toContain('1111');
  });

  it.each(['alice@example\u3002com', 'alice@example\uff61com'])('ideographic full stops are dots to IDNA: %j', (text) => {
    expect(masked(text)).not.toContain('alice');
  });

  it('known gaps, documented: newline/comma/colon separators, HTML entities for @, --password VALUE', () => {
    expect(masked('4111\n1111\n1111\n1111')).toContain('4111');
    expect(masked('alice&#64;example.com')).toContain('alice');
    expect(masked('mysql --password hunter2')).toContain('hunter2');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDetectors, maskText } from './detector-set.js';
import { createStreamMasker } from './stream-masker.js';
import type { StreamMaskerOptions } from './stream-masker.js';

const all = compileDetectors(['all']);

function run(chunks: readonly (string | Buffer)[], options?: StreamMaskerOptions): string {
  const m = createStreamMasker(all, options);
  let out = '';
  for (const c of chunks) out += m.push(c).text;
  return out + m.flush().text;
}

const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const session = [
  '$ env | grep -i key\r\n',
  `AWS_ACCESS_KEY_ID=${KEY_ID}\r\n`,
  'GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\r\n',
  '\x1b[32muser\x1b[0m alice@example.com paid with 4111 1111 1111 1111\r\n',
  'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl\r\n',
  '$ exit\r\n',
].join('');

describe('stream masker', () => {
  it('a key id split after AKIA is still caught', () => {
    const out = run(['export AWS_ACCESS_KEY_ID=AKIA', 'IOSFODNN7EXAMPLE\n']);
    expect(out).not.toContain('IOSFODNN7EXAMPLE');
    expect(out).toContain('[REDACTED:');
  });

  it('splitting the session at any single offset gives the same output as masking it whole', () => {
    const whole = maskText(session, all).text;
    for (let k = 0; k <= session.length; k++) {
      expect(run([session.slice(0, k), session.slice(k)])).toBe(whole);
    }
  });

  it('one character per chunk (keystrokes) gives the same output as masking it whole', () => {
    expect(run([...session])).toBe(maskText(session, all).text);
  });

  it('random chunkings give the same output as masking it whole', () => {
    const whole = maskText(session, all).text;
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: session.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), session.length];
        const chunks = points.slice(1).map((p, i) => session.slice(points[i], p));
        expect(run(chunks)).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('bytes split inside a multi-byte character (full-width card digits)', () => {
    const bytes = Buffer.from('card ４１１１ １１１１ １１１１ １１１１ end\n');
    for (let k = 1; k < bytes.length; k += 5) {
      const out = run([bytes.subarray(0, k), bytes.subarray(k)]);
      expect(out).toContain('**** **** **** 1111');
      expect(out).not.toContain('４１１１ １１１１');
    }
  });

  it('a PEM key split across many chunks never leaks a body line', () => {
    const body = Array.from({ length: 40 }, (_, i) => `MIIEpAIBAAKCAQEA${String(i).padStart(4, '0')}secretkeymaterial`).join('\n');
    const pem = `before\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\nafter\n`;
    for (const size of [7, 64, 500]) {
      const chunks = pem.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      const out = run(chunks);
      expect(out).toBe('before\n[REDACTED:pem-private-key]\nafter\n');
    }
  });

  it('a PEM block longer than the hold bound is released as a placeholder, the rest dropped until END', () => {
    const body = 'QUJDREVGR0hJSktMTU5PUA=='.repeat(200).match(/.{1,64}/g)!.join('\n');
    const pem = `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\nls\n`;
    const chunks = pem.match(/[\s\S]{1,100}/g)!;
    const out = run(chunks, { maxHoldChars: 1000 });
    expect(out).toBe('[REDACTED:pem-private-key]\nls\n');
  });

  it('an unterminated PEM block at stream end is withheld, not released', () => {
    const out = run(['-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg', 'secretsecret\n']);
    expect(out).toBe('[REDACTED:pem-private-key]');
  });

  it('output is delayed by a bounded amount and flush releases the rest', () => {
    const m = createStreamMasker(all, { holdChars: 32, maxHoldChars: 256 });
    let released = '';
    const line = 'plain output with nothing secret in it\n';
    for (let i = 0; i < 50; i++) {
      released += m.push(line).text;
      expect(m.pending).toBeLessThanOrEqual(256 + line.length);
    }
    released += m.flush().text;
    expect(released).toBe(line.repeat(50));
    expect(m.pending).toBe(0);
  });

  it('a long run without whitespace is released once it passes the hold bound', () => {
    const m = createStreamMasker(all, { holdChars: 16, maxHoldChars: 128 });
    let released = '';
    for (let i = 0; i < 100; i++) released += m.push('abcdefghij').text;
    expect(released.length).toBeGreaterThan(500);
    expect(released + m.flush().text).toBe('abcdefghij'.repeat(100));
  });

  it('findings carry offsets into the input stream', () => {
    const m = createStreamMasker(all);
    const a = m.push('x'.repeat(10) + ' alice@example.com ');
    const b = m.flush();
    const f = [...a.findings, ...b.findings];
    expect(f).toEqual([{ detector: 'email', start: 11, end: 28 }]);
  });
});

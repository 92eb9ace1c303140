import { describe, expect, it } from 'vitest';
import { maskingDetectors } from '../config/index.js';
import { cardPrefixValid, ibanChecksumValid, luhnValid } from './checksums.js';
import { compileDetectors, maskText } from './detector-set.js';
import type { DetectorId } from './types.js';

const all = compileDetectors(['all']);
const ids = (text: string): DetectorId[] => maskText(text, all).findings.map((f) => f.detector);
const masked = (text: string): string => maskText(text, all).text;

describe('checksums', () => {
  it('Luhn accepts test card numbers and rejects a changed digit', () => {
    for (const n of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117']) {
      expect(luhnValid(n)).toBe(true);
      const flipped = n.slice(0, -1) + String((Number(n.at(-1)) + 1) % 10);
      expect(luhnValid(flipped)).toBe(false);
    }
  });
  it('issuer prefixes: known networks pass, unissued prefixes fail', () => {
    expect(cardPrefixValid('4111111111111111')).toBe(true);
    expect(cardPrefixValid('378282246310005')).toBe(true);
    expect(cardPrefixValid('2223003122003222')).toBe(true);
    expect(cardPrefixValid('9111111111111111')).toBe(false);
    expect(cardPrefixValid('3782822463100053')).toBe(false); // Amex is 15 digits
  });
  it('IBAN mod-97', () => {
    expect(ibanChecksumValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanChecksumValid('GB83WEST12345698765432')).toBe(false);
  });
});

describe('PII detectors', () => {
  it.each([
    ['alice@example.com', 'email'],
    ['Alice.Smith+billing@Mail.Example.CO.UK', 'email'],
    ['"john doe"@example.org', 'email'],
    ['user@xn--bcher-kva.example', 'email'],
    ['user@bücher.de', 'email'],
    ['4111 1111 1111 1111', 'card'],
    ['378282246310005', 'card'],
    ['3782-822463-10005', 'card'],
    ['6011111111111117', 'card'],
    ['123-45-6789', 'ssn'],
    ['123 45 6789', 'ssn'],
    ['SSN: 123456789', 'ssn'],
    ['social_security_number="123456789"', 'ssn'],
    ['AB123456C', 'nino'],
    ['ab 12 34 56 c', 'nino'],
    ['GB82 WEST 1234 5698 7654 32', 'iban'],
    ['DE89370400440532013000', 'iban'],
    ['+44 20 7946 0958', 'phone'],
    ['(555) 123-4567', 'phone'],
  ] as const)('%s is found as %s', (text, id) => {
    expect(ids(`before ${text} after`)).toEqual([id]);
    expect(masked(`before ${text} after`)).not.toContain(text);
  });

  it.each([
    ['no at sign', 'alice.example.com'],
    ['no TLD', 'alice@localhost'],
    ['numeric TLD', 'alice@10.0.0.1'],
    ['Luhn failure', '4111 1111 1111 1112'],
    ['unissued prefix', '9111 1111 1111 1119'],
    ['too long digit run', '41111111111111111111111'],
    ['short groups (ps columns)', '41 11 11 11 11 11 11 11'],
    ['SSN area 000', '000-12-3456'],
    ['SSN area 666', '666-12-3456'],
    ['SSN area 9xx', '912-12-3456'],
    ['SSN group 00', '123-00-4567'],
    ['SSN serial 0000', '123-45-0000'],
    ['nine bare digits without a label', 'order 123456789'],
    ['labelled but invalid area', 'ssn: 666123456'],
    ['NINO bad prefix', 'GB123456A'],
    ['NINO bad suffix', 'AB123456E'],
    ['IBAN bad checksum', 'GB83 WEST 1234 5698 7654 32'],
    ['IBAN unknown country', 'QQ82WEST12345698765432'],
    ['date', '2024-01-31 12:00:00'],
    ['IP addresses and versions', '192.168.100.200 10.0.0.1 v1.2.3'],
    ['money', '1234.56 9876543.21'],
    ['uuid', '123e4567-e89b-12d3-a456-426614174000'],
  ])('%s is left alone: %s', (_why, text) => {
    expect(ids(text)).toEqual([]);
    expect(masked(text)).toBe(text);
  });

  it('card placeholder keeps only the last four digits and the separators', () => {
    expect(masked('4111-1111-1111-1111')).toBe('****-****-****-1111');
    expect(masked('pay 4242424242424242 now')).toBe('pay ************4242 now');
  });

  it('finds a card after a short group and before a year', () => {
    expect(masked('12 4111 1111 1111 1111 2027')).toBe('12 **** **** **** 1111 2027');
  });

  it('an email in a URL query or SQL quotes takes only the address', () => {
    expect(masked('https://x.io/a?email=bob@y.io&z=1')).toBe('https://x.io/a?email=****@****&z=1');
    expect(masked("email='bob@y.io'")).toBe("email='****@****'");
  });

  it('email placeholder keeps neither local part nor domain', () => {
    expect(masked('mail bob@corp.example now')).toBe('mail ****@**** now');
  });
});

describe('secret detectors', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'aws-key-id'],
    ['ASIAY34FZKBOKMUTVV7A', 'aws-key-id'],
    ['ghp_' + 'a1B2c3D4e5'.repeat(3) + 'abcdef', 'github-token'],
    ['gho_16C7e42F292c6912E7710c838347Ae178B4a', 'github-token'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', 'github-token'],
    ['glpat-xYz12AbCdEfGhIjKlMnO', 'gitlab-token'],
    ['npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm-token'],
    ['xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'slack-token'],
    ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe-key'],
    ['AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe', 'google-api-key'],
    [jwt, 'jwt'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----', 'pem-private-key'],
  ] as const)('%s is found as %s', (text, id) => {
    expect(ids(`x ${text} y`)).toEqual([id]);
    expect(masked(`x ${text} y`)).toBe(`x [REDACTED:${id}] y`);
  });

  it('an AWS secret key is found next to its key id or its label, not alone', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(ids(`AKIAIOSFODNN7EXAMPLE ${secret}`)).toEqual(['aws-key-id', 'aws-secret']);
    expect(ids(`aws_secret_access_key = ${secret}`)).toContain('aws-secret');
    expect(ids(`checksum ${secret}`)).toEqual([]);
    expect(ids('AKIAIOSFODNN7EXAMPLE commit da39a3ee5e6b4b0d3255bfef95601890afd80709')).toEqual(['aws-key-id']);
  });

  it('an unterminated private key block is masked to the end (fail closed)', () => {
    expect(masked('key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabc')).toBe('key:\n[REDACTED:pem-private-key]');
  });

  it('a public key or certificate is not a private key', () => {
    expect(ids('-----BEGIN PUBLIC KEY-----\nMIIBIjAN\n-----END PUBLIC KEY-----')).toEqual([]);
  });

  it.each([
    ['PGPASSWORD=hunter2 psql', 'PGPASSWORD=[REDACTED:secret-kv] psql'],
    ['host=db user=app password=s3cret sslmode=require', 'host=db user=app password=[REDACTED:secret-kv] sslmode=require'],
    ['Server=db;User Id=app;Password=p@ss;', 'Server=db;User Id=app;Password=[REDACTED:secret-kv];'],
    ['{"client_secret": "abc def"}', '{"client_secret": "[REDACTED:secret-kv]"}'],
    ['GITHUB_TOKEN: abc123', 'GITHUB_TOKEN: [REDACTED:secret-kv]'],
    ['api-key=zzz&x=1', 'api-key=[REDACTED:secret-kv]&x=1'],
    ['--password=pw123 --user bob', '--password=[REDACTED:secret-kv] --user bob'],
    ['accessToken=t0k', 'accessToken=[REDACTED:secret-kv]'],
  ])('key-value secret: %s', (text, want) => {
    expect(masked(text)).toBe(want);
  });

  it.each(['passenger_count=5', 'tokens=3', 'secretary: Jane', 'password_reset_required', 'if (password == other)', 'x != token'])('not a secret assignment: %s', (text) => {
    expect(masked(text)).toBe(text);
  });

  it('URL passwords and auth headers keep everything but the credential', () => {
    expect(masked('redis://default:hunter22@cache:6379/0')).toBe('redis://default:[REDACTED:url-password]@cache:6379/0');
    expect(masked('Authorization: Bearer abc.def-ghi_jkl')).toBe('Authorization: Bearer [REDACTED:bearer]');
    expect(masked('Authorization: Basic dXNlcjpwYXNz')).toBe('Authorization: Basic [REDACTED:bearer]');
  });

  it('placeholders are stable: masking twice changes nothing more', () => {
    const once = masked(`a@b.co 4111111111111111 ${jwt} password=x AKIAIOSFODNN7EXAMPLE 123-45-6789`);
    expect(masked(once)).toBe(once);
  });
});

describe('detector sets', () => {
  it('resolves groups used by configuration', () => {
    expect(compileDetectors(['national-id']).ids).toEqual(['ssn', 'nino']);
    expect(compileDetectors(['secret']).ids).toContain('jwt');
    expect(compileDetectors(['email', 'email']).ids).toEqual(['email']);
  });
  it('every detector name the configuration schema accepts compiles', () => {
    for (const name of maskingDetectors) expect(compileDetectors([name]).ids.length).toBeGreaterThan(0);
  });
  it('rejects unknown names with a config error naming them', () => {
    expect(() => compileDetectors(['emial'])).toThrow(/unknown masking detector.*"emial"/);
  });
  it('runs only the detectors asked for', () => {
    const emailOnly = compileDetectors(['email']);
    expect(maskText('a@b.co 4111111111111111', emailOnly).text).toBe('****@**** 4111111111111111');
  });
});

import { describe, expect, it } from 'vitest';
import { compileGlob } from '../identity/index.js';
import { policyFrom, who } from './test-fixtures.js';

// Attacks from an adversarial review of role matching and grant combination.
const IDP = 'https://idp.example.test';

describe('requested connection names are looked up, never matched as patterns', () => {
  const p = policyFrom({ r: { match: { issuer: IDP, groups: ['dev'] }, grants: [{ connections: ['staging-*'] }] } });

  it.each(['*', '**', 'staging-*', 'prod-*', 'prod-db ', ' prod-db', 'PROD-DB', 'prod\u2010db', 'prod-db\u0000', 'staging-db/../prod-db', 'prod-db/'])(
    'denies %j',
    (conn) => {
      expect(p.authorize(who(['dev']), conn).allowed).toBe(false);
    },
  );

  it('grants what the glob expanded to at compile time', () => {
    expect(p.authorize(who(['dev']), 'staging-db').allowed).toBe(true);
    expect(p.authorize(who(['dev']), 'prod-db').allowed).toBe(false);
  });
});

describe('denial reasons are recorded: no forged lines from client-chosen names', () => {
  it('sanitises the requested connection name', () => {
    const p = policyFrom({ r: { match: { issuer: IDP, groups: ['dev'] }, grants: [{ connections: ['staging-*'] }] } });
    const d = p.authorize(who(['dev']), 'app\n2026-01-01 INFO granted\u001b[31m\u202e');
    expect(d.allowed).toBe(false);
    // eslint-disable-next-line no-control-regex
    expect(!d.allowed && d.reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
  });
});

describe('combining roles can only add restrictions', () => {
  it('a second role granting without guardrails or masking does not lift the first role\'s', () => {
    const p = policyFrom({
      a: { match: { issuer: IDP, groups: ['analyst'] }, grants: [{ connections: ['prod-db'], guardrails: ['read-only'], masking: ['pii'] }] },
      b: { match: { issuer: IDP, groups: ['oncall'] }, grants: [{ connections: ['*'] }] },
    });
    const g = p.authorize(who(['analyst', 'oncall']), 'prod-db');
    expect(g.allowed && g.guardrails).toEqual(['read-only']);
    expect(g.allowed && g.masking).toEqual(['pii']);
    const onlyB = p.authorize(who(['oncall']), 'prod-db');
    expect(onlyB.allowed && onlyB.guardrails).toEqual([]);
  });

  it('a buffered grant cannot relax a strict connection', () => {
    const p = policyFrom({ a: { match: { issuer: IDP, groups: ['x'] }, grants: [{ connections: ['prod-db'], recording: 'buffered' }] } });
    const g = p.authorize(who(['x']), 'prod-db');
    expect(g.allowed && g.recording).toBe('strict');
  });

  it('a role matching another issuer\'s identical group and claims adds nothing', () => {
    const p = policyFrom({ a: { match: { issuer: 'https://other.example.test', claims: { sub: '**' } }, grants: [{ connections: ['prod-db'] }], audit: true } });
    expect(p.authorize(who(['x']), 'prod-db').allowed).toBe(false);
    expect(p.canAudit(who(['x']))).toBe(false);
  });
});

describe('claim globs', () => {
  it('a segment * does not cross a slash, a newline is just a character, case is exact', () => {
    const re = compileGlob('refs/heads/release-*');
    expect(re.test('refs/heads/release-1')).toBe(true);
    expect(re.test('refs/heads/release-1/../../main')).toBe(false);
    expect(re.test('refs/heads/RELEASE-1')).toBe(false);
    expect(re.test('refs/heads/release-1\nrefs/heads/main')).toBe(false); // the slash after the newline still ends the segment
    expect(re.test('refs/heads/release-1\nx')).toBe(true); // no multiline anchors: one string
    expect(compileGlob('repo:acme/app:*').test('repo:acme/app:ref:refs/heads/main')).toBe(false);
    expect(compileGlob('repo:acme/app:**').test('repo:acme/app:ref:refs/heads/main')).toBe(true);
  });

  it.each(['a?c', 'a.c', 'a[bc]', 'a|b', '(a)', 'a{1}', 'a\\d', '^a$'])('reads %j literally', (pattern) => {
    expect(compileGlob(pattern).test(pattern)).toBe(true);
    expect(compileGlob(pattern).test('abc')).toBe(false);
  });

  it('does not fold unicode case or compatibility forms', () => {
    expect(compileGlob('acme').test('ＡＣＭＥ')).toBe(false);
    expect(compileGlob('acme-*').test('acme\u2010x')).toBe(false);
    expect(compileGlob('straße').test('STRASSE')).toBe(false);
  });

  it('sub: "**" requires a string sub; claims of other types never match a string pattern', () => {
    const p = policyFrom({ a: { match: { issuer: IDP, claims: { sub: '**', env: 'prod' } }, grants: [{ connections: ['prod-db'] }] } });
    expect(p.authorize(who([], {}, { env: 'prod' }), 'prod-db').allowed).toBe(true);
    for (const env of [['prod'], { toString: 'prod' }, 1, true, null]) {
      expect(p.authorize(who([], {}, { env }), 'prod-db').allowed).toBe(false);
    }
  });
});

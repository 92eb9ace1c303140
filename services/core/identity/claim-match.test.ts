import { describe, expect, it } from 'vitest';
import { compileClaimConstraints, compileClaimTest, compileGlob, groupsFrom, ownClaim } from './claim-match.js';

describe('globs', () => {
  it('keeps * inside one path segment and lets ** cross segments', () => {
    expect(compileGlob('acme/*').test('acme/app')).toBe(true);
    expect(compileGlob('acme/*').test('acme/app/x')).toBe(false);
    expect(compileGlob('refs/heads/release-*').test('refs/heads/release-x/../main')).toBe(false);
    expect(compileGlob('acme/**').test('acme/a/b')).toBe(true);
    expect(compileGlob('**').test('anything/at\nall')).toBe(true);
  });

  it('treats regex metacharacters in patterns literally', () => {
    expect(compileGlob('a.c').test('abc')).toBe(false);
    expect(compileGlob('a+(b)?$').test('a+(b)?$')).toBe(true);
    expect(compileGlob('[ab]').test('a')).toBe(false);
  });

  it('does not expand glob characters found in claim values', () => {
    const exact = compileClaimTest('acme/app');
    expect(exact('acme/*')).toBe(false);
    expect(exact('acme/app\n')).toBe(false);
    // A newline does not let * escape its segment or the anchors.
    expect(compileClaimTest('acme/*')('acme/app\nevil/x')).toBe(false);
  });
});

describe('claim tests', () => {
  it('matches strings only against string claims (no coercion)', () => {
    const t = compileClaimTest('1');
    expect(t('1')).toBe(true);
    expect(t(1)).toBe(false);
    expect(t(['1'])).toBe(false);
    expect(t({ toString: () => '1' })).toBe(false);
    expect(compileClaimTest(1)('1')).toBe(false);
    expect(compileClaimTest(true)('true')).toBe(false);
  });

  it('lists mean "claim equals any entry", never "claim array intersects"', () => {
    const t = compileClaimTest(['main', 'release-*']);
    expect(t('release-1')).toBe(true);
    expect(t(['main'])).toBe(false);
  });

  it('{ contains } matches array claims only', () => {
    const t = compileClaimTest({ contains: 'mfa' });
    expect(t(['pwd', 'mfa'])).toBe(true);
    expect(t('mfa')).toBe(false);
    expect(t([['mfa']])).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(compileClaimTest('acme/*')('ACME/app')).toBe(false);
  });
});

describe('claim constraints and groups', () => {
  it('requires every constraint and reads only own claims', () => {
    const check = compileClaimConstraints({ repository: 'acme/*', constructor: '**' });
    expect(check({ repository: 'acme/x' })).toBe(false);
    expect(check({ repository: 'acme/x', constructor: 'y' })).toBe(true);
    expect(compileClaimConstraints({ toString: '**' })({})).toBe(false);
    const protoConstraint = compileClaimConstraints(JSON.parse('{"__proto__": "x"}') as Record<string, string>);
    expect(protoConstraint(JSON.parse('{"__proto__": "x"}') as Record<string, unknown>)).toBe(true);
    expect(protoConstraint({})).toBe(false);
    expect(ownClaim({}, 'hasOwnProperty')).toBeUndefined();
  });

  it('takes groups only from an array of strings', () => {
    expect(groupsFrom({ groups: ['a', 1, null, 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsFrom({ groups: 'admin' }, 'groups')).toEqual([]);
    expect(groupsFrom({ groups: 'a,b' }, 'groups')).toEqual([]);
    expect(groupsFrom({}, 'constructor')).toEqual([]);
    expect(groupsFrom({ groups: { 0: 'admin', length: 1 } }, 'groups')).toEqual([]);
  });
});

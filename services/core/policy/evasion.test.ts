import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyFrom, who } from './test-fixtures.js';

const IDP = 'https://idp.example.test';
const OTHER = 'https://other.example.test';

const dbaOnly = () => policyFrom({ dba: { match: { issuer: IDP, groups: ['dba'] }, grants: [{ connections: ['prod-db'] }], audit: true } });
const byRepo = () => policyFrom({ ci: { match: { issuer: IDP, claims: { repository: 'acme/*', run_attempt: 1 } }, grants: [{ connections: ['prod-db'] }] } });

describe('attempts to get around the policy', () => {
  it('does not let a group from another issuer match (issuer A role, issuer B token)', () => {
    const p = dbaOnly();
    for (const issuer of [OTHER, `${IDP}/`, IDP.toUpperCase(), ` ${IDP}`, '']) {
      expect(p.authorize(who(['dba'], { issuer }), 'prod-db').allowed).toBe(false);
      expect(p.canAudit(who(['dba'], { issuer }))).toBe(false);
    }
  });

  it('treats groups as a list of exact, case-sensitive strings', () => {
    const p = dbaOnly();
    for (const groups of ['dba', 'dba,ops', ['DBA'], ['dba '], [' dba'], [['dba']], [{ dba: true }], { 0: 'dba', length: 1 }, null, undefined, 42]) {
      expect(p.authorize(who(groups), 'prod-db').allowed).toBe(false);
    }
  });

  it('ignores a groups claim: only the verifier-extracted groups count', () => {
    expect(dbaOnly().authorize(who([], {}, { groups: ['dba'] }), 'prod-db').allowed).toBe(false);
  });

  it('does not confuse arrays, nested objects or other types with string claims', () => {
    const p = byRepo();
    expect(p.authorize(who([], {}, { repository: 'acme/app', run_attempt: 1 }), 'prod-db').allowed).toBe(true);
    for (const repository of [['acme/app'], { name: 'acme/app' }, 1, true, null]) {
      expect(p.authorize(who([], {}, { repository, run_attempt: 1 }), 'prod-db').allowed).toBe(false);
    }
    for (const runAttempt of ['1', [1], true]) {
      expect(p.authorize(who([], {}, { repository: 'acme/app', run_attempt: runAttempt }), 'prod-db').allowed).toBe(false);
    }
  });

  it('does not expand glob or regex characters found in claim values', () => {
    const p = byRepo();
    for (const repository of ['acme/app/../../evil', 'acme/x/y', 'evil/acme/x', 'acme', 'acme/x\nevil/y', 'ACME/app', '.*']) {
      expect(p.authorize(who([], {}, { repository, run_attempt: 1 }), 'prod-db').allowed).toBe(false);
    }
    // A literal "acme/.*|evil" is one segment under acme/, so the glob rightly matches it as text.
    expect(p.authorize(who([], {}, { repository: 'acme/.*|evil', run_attempt: 1 }), 'prod-db').allowed).toBe(true);
    const exact = policyFrom({ r: { match: { issuer: IDP, claims: { repository: 'acme/app' } }, grants: [{ connections: ['prod-db'] }] } });
    expect(exact.authorize(who([], {}, { repository: 'acme/*' }), 'prod-db').allowed).toBe(false);
    expect(exact.authorize(who([], {}, { repository: 'acme/ap?' }), 'prod-db').allowed).toBe(false);
  });

  it('is not fooled by prototype names as groups, claims or connections', () => {
    const p = dbaOnly();
    for (const g of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(p.authorize(who([g]), 'prod-db').allowed).toBe(false);
    }
    for (const c of ['__proto__', 'constructor', 'toString', 'prototype']) {
      expect(p.authorize(who(['dba']), c).allowed).toBe(false);
    }
    const claimRole = policyFrom({ r: { match: { issuer: IDP, claims: { constructor: '**' } }, grants: [{ connections: ['prod-db'] }] } });
    expect(claimRole.authorize(who([]), 'prod-db').allowed).toBe(false);
    const hostile = JSON.parse('{"__proto__": {"repository": "acme/app", "run_attempt": 1}}') as Record<string, unknown>;
    expect(byRepo().authorize(who([], {}, hostile), 'prod-db').allowed).toBe(false);
    const protoGroup = policyFrom({ r: { match: { issuer: IDP, groups: ['constructor'] }, grants: [{ connections: ['prod-db'] }] } });
    expect(protoGroup.authorize(who(['dba']), 'prod-db').allowed).toBe(false);
    expect(protoGroup.authorize(who(['constructor']), 'prod-db').allowed).toBe(true);
  });

  it('survives malformed identity objects by denying', () => {
    const p = byRepo();
    for (const claims of [null, undefined, 'repository=acme/app', ['acme/app']]) {
      expect(p.authorize({ ...who([]), claims: claims as never }, 'prod-db').allowed).toBe(false);
    }
  });

  it('never grants an identity without the required group, whatever else it carries', () => {
    const p = dbaOnly();
    const notDba = fc.string().filter((s) => s !== 'dba');
    fc.assert(
      fc.property(fc.array(notDba), fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (groups, claims, conn) => {
        expect(p.authorize(who(groups, {}, claims), 'prod-db').allowed).toBe(false);
        expect(p.authorize(who(['dba'], {}, claims), conn).allowed).toBe(conn === 'prod-db');
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { policyFrom, who } from './test-fixtures.js';

const IDP = 'https://idp.example.test';
const GH = 'https://token.actions.githubusercontent.com';

describe('compilePolicy', () => {
  it('denies by default: no roles, no match, no grant, unknown connection', () => {
    expect(policyFrom({}).authorize(who(['dba']), 'prod-db')).toMatchObject({ allowed: false, reason: expect.any(String) as unknown });
    const p = policyFrom({
      dba: { match: { issuer: IDP, groups: ['dba'] }, grants: [{ connections: ['prod-db'] }] },
      auditor: { match: { issuer: IDP, groups: ['audit'] }, audit: true },
    });
    expect(p.authorize(who(['ops']), 'prod-db').allowed).toBe(false);
    expect(p.authorize(who(['audit']), 'prod-db')).toMatchObject({ allowed: false, roles: ['auditor'] });
    expect(p.authorize(who(['dba']), 'staging-db').allowed).toBe(false);
    expect(p.authorize(who(['dba']), 'nope').allowed).toBe(false);
  });

  it('grants a matched role its connections, guardrails and masking profiles', () => {
    const p = policyFrom({ analyst: { match: { issuer: IDP, groups: ['analytics'] }, grants: [{ connections: ['prod-db'], guardrails: ['read-only'], masking: ['pii'] }] } });
    expect(p.authorize(who(['x', 'analytics']), 'prod-db')).toEqual({
      allowed: true, connection: 'prod-db', roles: ['analyst'], guardrails: ['read-only'], masking: ['pii'], recording: 'strict',
    });
  });

  it('expands connection globs against the configured connections', () => {
    const p = policyFrom({ dev: { match: { issuer: IDP, groups: ['dev'] }, grants: [{ connections: ['staging-*'] }] } });
    expect(p.authorize(who(['dev']), 'staging-db').allowed).toBe(true);
    expect(p.authorize(who(['dev']), 'staging-cache').allowed).toBe(true);
    expect(p.authorize(who(['dev']), 'prod-db').allowed).toBe(false);
  });

  it('applies the union of every granting role\'s guardrails and masking (most restrictive)', () => {
    const p = policyFrom({
      dba: { match: { issuer: IDP, groups: ['dba'] }, grants: [{ connections: ['*'] }] },
      everyone: { match: { issuer: IDP, claims: { sub: '**' } }, grants: [{ connections: ['prod-db'], guardrails: ['read-only'], masking: ['pii'] }] },
      oncall: { match: { issuer: IDP, groups: ['oncall'] }, grants: [{ connections: ['prod-db'], guardrails: ['no-ddl', 'read-only'], masking: ['pii2'] }] },
    });
    expect(p.authorize(who(['dba', 'oncall']), 'prod-db')).toMatchObject({
      allowed: true, roles: ['dba', 'everyone', 'oncall'], guardrails: ['no-ddl', 'read-only'], masking: ['pii', 'pii2'],
    });
    // A role that grants nothing on this connection adds nothing to it.
    expect(p.authorize(who(['dba', 'oncall']), 'staging-db')).toMatchObject({ roles: ['dba'], guardrails: [], masking: [] });
  });

  it('is independent of role order in the file', () => {
    const a = { match: { issuer: IDP, groups: ['g'] }, grants: [{ connections: ['prod-db'], guardrails: ['no-ddl'] }] };
    const b = { match: { issuer: IDP, groups: ['g'] }, grants: [{ connections: ['prod-db'], guardrails: ['read-only'] }] };
    expect(policyFrom({ a, b }).authorize(who(['g']), 'prod-db')).toEqual(policyFrom({ b, a }).authorize(who(['g']), 'prod-db'));
  });

  it('picks the strictest recording mode of the connection and the granting roles', () => {
    const p = policyFrom({
      loose: { match: { issuer: IDP, groups: ['loose'] }, grants: [{ connections: ['*'], recording: 'buffered' }] },
      tight: { match: { issuer: IDP, groups: ['tight'] }, grants: [{ connections: ['*'], recording: 'strict' }] },
    });
    expect(p.authorize(who(['loose']), 'staging-db')).toMatchObject({ recording: 'buffered' });
    expect(p.authorize(who(['loose']), 'prod-db')).toMatchObject({ recording: 'strict' });
    expect(p.authorize(who(['loose', 'tight']), 'staging-db')).toMatchObject({ recording: 'strict' });
  });

  it('lists matched roles and audit rights', () => {
    const p = policyFrom({
      z: { match: { issuer: IDP, groups: ['g'] } },
      a: { match: { issuer: IDP, groups: ['g'] }, audit: true },
      other: { match: { issuer: IDP, groups: ['h'] }, audit: true },
    });
    expect(p.rolesFor(who(['g']))).toEqual(['a', 'z']);
    expect(p.canAudit(who(['g']))).toBe(true);
    expect(p.canAudit(who(['x']))).toBe(false);
  });

  it('matches GitHub Actions workflows by claims', () => {
    const p = policyFrom({
      deploy: { match: { issuer: GH, claims: { repository: 'acme/*', ref: 'refs/heads/main', environment: ['production', 'staging'] } }, grants: [{ connections: ['prod-db'] }] },
    });
    const gh = (claims: Record<string, unknown>) => who([], { issuer: GH }, { repository: 'acme/app', ref: 'refs/heads/main', environment: 'production', ...claims });
    expect(p.authorize(gh({}), 'prod-db').allowed).toBe(true);
    expect(p.authorize(gh({ environment: 'staging' }), 'prod-db').allowed).toBe(true);
    expect(p.authorize(gh({ ref: 'refs/heads/feature' }), 'prod-db').allowed).toBe(false);
    expect(p.authorize(gh({ repository: 'evil/app' }), 'prod-db').allowed).toBe(false);
    expect(p.authorize(gh({ environment: undefined }), 'prod-db').allowed).toBe(false);
  });

  it('requires both groups and claims when a role names both', () => {
    const p = policyFrom({ r: { match: { issuer: IDP, groups: ['dba'], claims: { amr: { contains: 'mfa' } } }, grants: [{ connections: ['prod-db'] }] } });
    expect(p.authorize(who(['dba'], {}, { amr: ['pwd', 'mfa'] }), 'prod-db').allowed).toBe(true);
    expect(p.authorize(who(['dba'], {}, { amr: ['pwd'] }), 'prod-db').allowed).toBe(false);
    expect(p.authorize(who([], {}, { amr: ['mfa'] }), 'prod-db').allowed).toBe(false);
  });

  it('warns about grant patterns that match no connection', () => {
    const p = policyFrom({ r: { match: { issuer: IDP, groups: ['g'] }, grants: [{ connections: ['prod-bd'] }] } });
    expect(p.warnings).toEqual([expect.stringContaining('"prod-bd" matches no configured connection')]);
  });
});

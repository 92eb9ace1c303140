import { parseConfig } from '../config/index.js';
import type { VerifiedIdentity } from '../identity/index.js';
import { compilePolicy } from './compile.js';
import type { Policy } from './types.js';

// Test support shared by policy.test.ts and evasion.test.ts.

const IDP = 'https://idp.example.test';

const conn = (mode: 'strict' | 'buffered' = 'strict') => ({
  protocol: 'postgres', host: 'db', database: 'app', upstream: { user: 'gw' }, recording: { mode },
});

/** Compiles a policy from raw role config through the real config parser. */
export function policyFrom(roles: Record<string, unknown>, connections: Record<string, unknown> = { 'prod-db': conn(), 'staging-db': conn('buffered'), 'staging-cache': conn() }): Policy {
  const cfg = parseConfig({ roles, connections, guardrails: { custom: {} }, masking: { pii2: {} } }, {});
  return compilePolicy(cfg);
}

/** An identity from IDP; groups is unknown so tests can pass hostile shapes. */
export function who(groups: unknown, extra: Partial<VerifiedIdentity> = {}, claims: Record<string, unknown> = {}): VerifiedIdentity {
  return { subject: 'alice', issuer: IDP, groups: groups as string[], claims: { sub: 'alice', ...claims }, expiresAt: 0, ...extra };
}


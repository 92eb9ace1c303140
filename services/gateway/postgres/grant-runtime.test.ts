import { beforeAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../../core/errors.js';
import type { Grant } from '../../core/policy/index.js';
import { GrantCompiler } from './grant-runtime.js';
import { loadGuardrailParser } from './guardrails/index.js';

const grant = (guardrails: string[]): Grant => ({ allowed: true, connection: 'db', roles: ['r'], guardrails, masking: [], recording: 'strict' });
const compiler = (guardrails: Record<string, unknown> = {}) =>
  new GrantCompiler({ guardrails: guardrails as never, masking: {}, maskingHashKey: undefined });

beforeAll(async () => {
  await loadGuardrailParser();
});

describe('GrantCompiler', () => {
  it('ignores built-in SSH profiles on a grant that covers several protocols, keeping the PostgreSQL ones', () => {
    const compiled = compiler().compile(grant(['read-only', 'ssh-no-forwarding']));
    expect(compiled.readOnly).toBe(true);
    expect(compiled.enforce).toBeDefined();
  });

  it('refuses a profile name that no gateway defines, instead of dropping the guardrail', () => {
    let error: unknown;
    try {
      compiler().compile(grant(['read-onyl']));
    } catch (err) {
      error = err;
    }
    expect(isTollgateError(error, 'TG_ERR_CONFIG')).toBe(true);
  });

  it('does not skip a configured profile that shadows an SSH built-in name', () => {
    const compiled = compiler({ 'ssh-no-forwarding': { protocol: 'postgres', profiles: ['no-ddl'] } }).compile(grant(['ssh-no-forwarding']));
    expect(compiled.enforce).toBeDefined();
  });
});

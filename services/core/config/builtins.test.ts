import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../gateway/postgres/guardrails/profiles.js';
import { SSH_PROFILE_NAMES } from '../../gateway/ssh/guardrails/builtin-profiles.js';
import { detectorGroups } from '../masking/detector-set.js';
import { detectorIds } from '../masking/types.js';
import { parseConfig } from './load.js';
import { builtinGuardrailProfiles, maskingActions, maskingDetectors } from './schema-policy.js';

// The config cannot import the engines (it sits below them), so these lists are copies; this
// test fails when an engine adds or renames a profile, detector or action.
describe('built-in names agree with the engines that implement them', () => {
  it('guardrail profiles', () => {
    expect([...builtinGuardrailProfiles].sort()).toEqual([...PROFILE_NAMES, ...SSH_PROFILE_NAMES].sort());
  });

  it('masking detectors and groups', () => {
    expect([...maskingDetectors].sort()).toEqual([...detectorIds, ...Object.keys(detectorGroups)].sort());
  });

  it('masking actions', () => {
    const rule = (action: string) => ({ masking: { p: { columns: [{ column: 'a', action }] } }, maskingHashKey: { env: 'K' } });
    for (const action of maskingActions) expect(() => parseConfig(rule(action), { K: 'k'.repeat(16) })).not.toThrow();
  });
});

describe('built-in and cross-checked masking config', () => {
  it('adds the pii profile unless the file defines its own', () => {
    expect(parseConfig({}, {}).masking.pii?.detectors).toEqual(['all']);
    expect(parseConfig({ masking: { pii: { detectors: ['email'] } } }, {}).masking.pii?.detectors).toEqual(['email']);
  });

  it('requires maskingHashKey when a rule hashes', () => {
    expect(() => parseConfig({ masking: { p: { columns: [{ column: '*.ssn', action: 'hash' }] } } }, {})).toThrow(/masking\.p\.columns\.0\.action: action "hash" needs maskingHashKey/);
  });

  it('rejects unknown detectors and actions', () => {
    expect(() => parseConfig({ masking: { p: { detectors: ['emails'], columns: [{ column: 'a', action: 'shred' }] } } }, {})).toThrow(/2 problems/);
  });
});

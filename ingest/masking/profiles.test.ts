import { describe, expect, it } from 'vitest';
import { MaskingPlans } from './profiles.js';

describe('masking plans at rest', () => {
  const plans = new MaskingPlans({ profiles: { pii: { detectors: ['all'] }, hr: { columns: [{ column: 'salary' }], detectors: ['email'] }, cards: { detectors: ['card'] } }, byConnection: { 'hr-db': 'hr' }, defaultProfile: 'cards' });

  it('uses the connection profile plus the grant profiles', () => {
    const plan = plans.planFor('hr-db', ['cards']);
    expect(plan.maskValue('100000', { name: 'salary' }).changed).toBe(true);
    expect(plan.maskText('4111 1111 1111 1111').text).not.toContain('4111 1111 1111');
    expect(plan.maskText('jane@example.com').text).not.toContain('jane@');
  });

  it('never applies less than the default profile on other connections', () => {
    expect(plans.planFor('other', []).maskText('4111 1111 1111 1111').text).not.toContain('4111 1111 1111');
  });

  it('treats a grant profile it does not know as every detector (fail closed, no crash)', () => {
    const plan = plans.planFor('other', ['removed-profile']);
    expect(plan.maskText('AKIAIOSFODNN7EXAMPLE').text).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('refuses an undefined profile in its own configuration at construction', () => {
    expect(() => new MaskingPlans({ profiles: {}, byConnection: { x: 'nope' } })).toThrow(/"nope"/);
    expect(() => new MaskingPlans({ profiles: {}, defaultProfile: 'nope' })).toThrow(/not defined/);
  });

  it('caches one plan per combination', () => {
    expect(plans.planFor('hr-db', ['cards', 'hr'])).toBe(plans.planFor('hr-db', ['hr', 'cards']));
  });
});

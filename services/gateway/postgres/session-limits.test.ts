import { describe, expect, it } from 'vitest';
import { AUTHENTICATION_TIMEOUT_MS, checkLimits, type SessionClock } from './session-limits.js';

const limits = { idleTimeout: 1000, statementTimeout: 500, tokenExpiryGrace: 200 };
const base: SessionClock = { phase: 'relay', openedAt: 0, lastActivity: 0, tokenExpiresAt: 10_000, outstanding: 0, busySince: 0, cancelledBusySince: -1 };

describe('session limits', () => {
  it('drops clients that do not finish logging in', () => {
    expect(checkLimits(AUTHENTICATION_TIMEOUT_MS + 1, { ...base, phase: 'auth' }, limits)).toMatchObject({ kind: 'end', code: '08P01' });
    expect(checkLimits(10, { ...base, phase: 'handshake' }, limits)).toBeUndefined();
  });

  it('ends idle sessions, but not while a statement is running', () => {
    expect(checkLimits(1001, base, limits)).toMatchObject({ kind: 'end', code: '57P05' });
    expect(checkLimits(1001, { ...base, outstanding: 1, busySince: 900 }, limits)).toBeUndefined();
    expect(checkLimits(1001, base, { ...limits, idleTimeout: 0 })).toBeUndefined();
  });

  it('cancels a statement once past the timeout, once per statement', () => {
    const busy = { ...base, lastActivity: 600, outstanding: 1, busySince: 100 };
    expect(checkLimits(601, busy, limits)).toMatchObject({ kind: 'cancel' });
    expect(checkLimits(601, { ...busy, cancelledBusySince: 100 }, limits)).toBeUndefined();
    expect(checkLimits(601, busy, { ...limits, statementTimeout: 0 })).toBeUndefined();
  });

  it('ends the session after the token expiry plus grace, before anything else', () => {
    expect(checkLimits(10_200, { ...base, lastActivity: 10_000 }, limits)).toBeUndefined();
    expect(checkLimits(10_201, { ...base, lastActivity: 10_000, outstanding: 3 }, limits)).toMatchObject({ kind: 'end', code: '28000' });
  });
});

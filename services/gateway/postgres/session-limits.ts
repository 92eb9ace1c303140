import { GatewaySqlState } from './gateway-errors.js';

export interface SessionLimits {
  readonly idleTimeout: number;
  readonly statementTimeout: number;
  readonly tokenExpiryGrace: number;
}

/** What a session looks like to the limit check, at one instant. */
export interface SessionClock {
  readonly phase: 'handshake' | 'auth' | 'relay' | 'closed';
  readonly openedAt: number;
  readonly lastActivity: number;
  /** exp of the caller's token (ms), once authenticated. */
  readonly tokenExpiresAt: number | undefined;
  /** Requests sent upstream whose ReadyForQuery has not come back. */
  readonly outstanding: number;
  readonly busySince: number;
  /** busySince of the statement already cancelled for running too long (-1: none). */
  readonly cancelledBusySince: number;
}

export type LimitAction =
  | { readonly kind: 'end'; readonly code: string; readonly message: string }
  | { readonly kind: 'cancel'; readonly message: string };

/** Like PostgreSQL's authentication_timeout: a client that has not logged in by then is dropped. */
export const AUTHENTICATION_TIMEOUT_MS = 60_000;

/** Decides, once a second, whether a session must end or its statement be cancelled. Pure. */
export function checkLimits(now: number, s: SessionClock, limits: SessionLimits): LimitAction | undefined {
  if (s.phase === 'handshake' || s.phase === 'auth') {
    return now - s.openedAt > AUTHENTICATION_TIMEOUT_MS ? { kind: 'end', code: GatewaySqlState.protocolViolation, message: 'authentication timed out' } : undefined;
  }
  if (s.phase !== 'relay') return undefined;
  if (s.tokenExpiresAt !== undefined && now > s.tokenExpiresAt + limits.tokenExpiryGrace) {
    return { kind: 'end', code: GatewaySqlState.invalidAuthorization, message: 'terminating connection: the identity token expired; reconnect with a fresh token' };
  }
  if (s.outstanding === 0 && limits.idleTimeout > 0 && now - s.lastActivity > limits.idleTimeout) {
    return { kind: 'end', code: GatewaySqlState.idleSessionTimeout, message: `terminating connection: idle for longer than ${limits.idleTimeout} ms` };
  }
  if (s.outstanding > 0 && limits.statementTimeout > 0 && now - s.busySince > limits.statementTimeout && s.cancelledBusySince !== s.busySince) {
    return { kind: 'cancel', message: `statement ran longer than ${limits.statementTimeout} ms; cancel sent` };
  }
  return undefined;
}

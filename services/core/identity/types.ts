import type { JSONWebKeySet } from 'jose';
import type { ClaimMatcherConfig, JwsAlgorithm } from '../config/index.js';

/** Who a verified token says the caller is. Never carries the token itself. */
export interface VerifiedIdentity {
  subject: string;
  issuer: string;
  /** From the issuer's groups claim; only string members of an array count. */
  groups: readonly string[];
  /** Every claim of the verified payload, for policy matching and audit. */
  claims: Readonly<Record<string, unknown>>;
  /** exp, in epoch milliseconds. */
  expiresAt: number;
}

/** Where a verification happens, for error context only (never affects the decision). */
export interface VerifyContext {
  protocol?: string;
  remoteAddress?: string;
}

/** The port every listener and the replay API authenticate through. */
export interface IdentityVerifier {
  /** Verifies a compact JWS; rejects with TG_ERR_AUTH_TOKEN (bad token) or TG_ERR_AUTH_ISSUER (keys unavailable). */
  verify(token: string, context?: VerifyContext): Promise<VerifiedIdentity>;
}

export type KeySourceSpec =
  | { kind: 'discovery' }
  | { kind: 'jwksUri'; uri: string }
  | { kind: 'static'; jwks: JSONWebKeySet };

/** One trusted issuer, normalised (durations in ms, audience as a list). */
export interface IssuerSettings {
  issuer: string;
  audiences: readonly string[];
  algorithms: readonly JwsAlgorithm[];
  keys: KeySourceSpec;
  groupsClaim: string;
  requiredClaims: Readonly<Record<string, ClaimMatcherConfig>>;
  maxTokenLifetimeMs?: number;
  clockSkewMs: number;
  allowInsecureHttp: boolean;
  fetchTimeoutMs: number;
  refetchCooldownMs: number;
  jwksMaxAgeMs: number;
}

/** The issuer GitHub Actions uses for workflow OIDC tokens (shared by every repository on GitHub). */
export { GITHUB_ACTIONS_ISSUER } from '../config/index.js';

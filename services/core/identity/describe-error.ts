import { errors } from 'jose';
import { TollgateError, isTollgateError } from '../errors.js';
import { isoSeconds, printable, quote, tokenError } from './token-inspect.js';
import type { IssuerSettings } from './types.js';

const iso = isoSeconds;

/**
 * Turns a jose failure into a TollgateError that tells the user what was wrong with their token
 * (which claim, which time, which issuer) without quoting the token.
 */
export function describeVerifyError(err: unknown, issuer: IssuerSettings, nowMs: number, kid: string | undefined): TollgateError {
  if (isTollgateError(err)) return err;
  const ctx = { issuer: issuer.issuer };
  const skew = `${Math.round(issuer.clockSkewMs / 1000)}s`;
  const now = new Date(nowMs).toISOString();
  if (err instanceof errors.JWTExpired) {
    return tokenError(`token expired at ${iso(err.payload.exp)} (now ${now}, clock skew allowed ${skew})`, ctx, err);
  }
  if (err instanceof errors.JWTClaimValidationFailed) return describeClaimFailure(err, issuer, now, skew);
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return tokenError(`token algorithm is not allowed for issuer ${issuer.issuer} (allowed: ${issuer.algorithms.join(', ')})`, ctx, err);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return tokenError(`token signature does not verify with issuer ${issuer.issuer}'s key${kid === undefined ? '' : ` ${quote(kid)}`}`, ctx, err);
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    const which = kid === undefined ? 'for the token header (no kid)' : `with kid ${quote(kid)}`;
    return tokenError(`issuer ${issuer.issuer} has no signing key ${which}`, ctx, err);
  }
  if (err instanceof errors.JWKSMultipleMatchingKeys) {
    return tokenError(`issuer ${issuer.issuer} has several keys matching this token and none verified it`, ctx, err);
  }
  if (err instanceof errors.JWKSTimeout) {
    return new TollgateError('TG_ERR_AUTH_ISSUER', `fetching keys for issuer ${issuer.issuer} timed out`, { cause: err, context: ctx });
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return tokenError(`token is malformed: ${printable(err.message, 200)}`, ctx, err);
  }
  if (err instanceof errors.JOSENotSupported) {
    // Raised for token features (crit extensions, unsupported alg/key combinations), so the token is at fault.
    // jose quotes header parameter names (crit) in its message: the token chose them.
    return tokenError(`token uses something tollgate does not support: ${printable(err.message, 200)}`, ctx, err);
  }
  if (err instanceof errors.JWKInvalid || err instanceof errors.JWKSInvalid) {
    return new TollgateError('TG_ERR_AUTH_ISSUER', `issuer ${issuer.issuer} publishes a key tollgate cannot use: ${printable(err.message, 200)}`, { cause: err, context: ctx });
  }
  return tokenError('token rejected', ctx, err);
}

function describeClaimFailure(err: InstanceType<typeof errors.JWTClaimValidationFailed>, issuer: IssuerSettings, now: string, skew: string): TollgateError {
  const ctx = { issuer: issuer.issuer, claim: err.claim };
  if (err.reason === 'missing') return tokenError(`token has no "${err.claim}" claim, which is required`, ctx, err);
  switch (err.claim) {
    case 'nbf':
      return tokenError(`token is not valid before ${iso(err.payload.nbf)} (now ${now}, clock skew allowed ${skew})`, ctx, err);
    case 'iat':
      return tokenError(`token "iat" is ${err.reason === 'invalid' ? 'not a number' : 'not acceptable'}`, ctx, err);
    case 'aud':
      return tokenError(`token audience ${quote(err.payload.aud)} is not accepted by issuer ${issuer.issuer} (expected ${issuer.audiences.map((a) => quote(a)).join(' or ')})`, ctx, err);
    case 'iss':
      return tokenError(`token issuer ${quote(err.payload.iss)} does not match ${issuer.issuer}`, ctx, err);
    default:
      return tokenError(`token claim "${printable(err.claim)}" is invalid: ${printable(err.message, 200)}`, ctx, err);
  }
}

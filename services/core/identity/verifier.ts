import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../clock.js';
import { compileClaimConstraints, groupsFrom } from './claim-match.js';
import { describeVerifyError } from './describe-error.js';
import { discoverJwksUri } from './discovery.js';
import { fetchJson as defaultFetchJson, type FetchJson } from './fetch-json.js';
import { RemoteKeySet, type KeyResolver } from './remote-key-set.js';
import { hasUnprintable, inspectToken, isoSeconds, quote, tokenError } from './token-inspect.js';
import type { IdentityVerifier, IssuerSettings, VerifiedIdentity, VerifyContext } from './types.js';

export interface VerifierOptions {
  issuers: readonly IssuerSettings[];
  clock: Clock;
  /** Tokens longer than this are refused before parsing. Default 16 KiB. */
  maxTokenBytes?: number;
  /** Injected for tests of fetch failures; the default uses fetch() with timeouts and size caps. */
  fetchJson?: FetchJson;
}

interface CompiledIssuer {
  settings: IssuerSettings;
  keys: KeyResolver;
  requiredClaims: (claims: Readonly<Record<string, unknown>>) => boolean;
}

const DEFAULT_MAX_TOKEN_BYTES = 16 * 1024;
/** 9999-12-31T23:59:59Z as a NumericDate. */
const MAX_NUMERIC_DATE = 253_402_300_799;

/** Builds the JWT verifier for a fixed set of issuers; issuer lookups are a Map, not an object. */
export function createIdentityVerifier(options: VerifierOptions): IdentityVerifier {
  const fetchJson = options.fetchJson ?? defaultFetchJson;
  const issuers = new Map<string, CompiledIssuer>();
  for (const settings of options.issuers) {
    issuers.set(settings.issuer, {
      settings,
      keys: keyResolverFor(settings, options.clock, fetchJson),
      requiredClaims: compileClaimConstraints(settings.requiredClaims),
    });
  }
  const maxBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  return {
    verify: (token, context) => verifyToken(token, context, issuers, options.clock, maxBytes),
  };
}

async function verifyToken(
  token: string,
  context: VerifyContext | undefined,
  issuers: ReadonlyMap<string, CompiledIssuer>,
  clock: Clock,
  maxBytes: number,
): Promise<VerifiedIdentity> {
  const unverified = inspectToken(token, maxBytes);
  const issuer = issuers.get(unverified.issuer);
  if (issuer === undefined) {
    throw tokenError(`token issuer ${quote(unverified.issuer)} is not a configured issuer`, { ...context });
  }
  const s = issuer.settings;
  if (!(s.algorithms as readonly string[]).includes(unverified.header.alg ?? '')) {
    throw tokenError(`token algorithm ${quote(unverified.header.alg)} is not allowed for issuer ${s.issuer} (allowed: ${s.algorithms.join(', ')})`, { issuer: s.issuer, ...context });
  }
  const nowMs = clock.nowMs();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, issuer.keys, {
      issuer: s.issuer,
      audience: [...s.audiences],
      algorithms: [...s.algorithms],
      clockTolerance: Math.floor(s.clockSkewMs / 1000),
      currentDate: new Date(nowMs),
      requiredClaims: ['exp', 'sub'],
    }));
  } catch (err) {
    throw describeVerifyError(err, s, nowMs, unverified.header.kid);
  }
  checkPostConditions(payload, issuer, nowMs);
  // Frozen so nothing downstream can add a group or claim after policy has looked at it.
  const claims = Object.freeze(payload) as Readonly<Record<string, unknown>>;
  return {
    subject: payload.sub ?? '',
    issuer: s.issuer,
    groups: Object.freeze(groupsFrom(claims, s.groupsClaim)),
    claims,
    expiresAt: (payload.exp ?? 0) * 1000,
  };
}

/** Checks jose does not do for us: lifetime cap, future iat, printable non-blank sub, issuer constraints. */
function checkPostConditions(payload: JWTPayload, issuer: CompiledIssuer, nowMs: number): void {
  const s = issuer.settings;
  const ctx = { issuer: s.issuer };
  if (typeof payload.sub !== 'string' || payload.sub.trim() === '') throw tokenError('token "sub" claim must be a non-empty string', ctx);
  // The subject is printed in audit records and logs: a line break or escape in it could forge them.
  if (hasUnprintable(payload.sub)) throw tokenError('token "sub" claim contains control or bidi characters', ctx);
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    const t = payload[claim];
    // Beyond these bounds Date arithmetic breaks; no honest issuer produces such times.
    if (t !== undefined && !(t >= 0 && t <= MAX_NUMERIC_DATE)) throw tokenError(`token "${claim}" is out of range`, ctx);
  }
  const exp = payload.exp ?? 0;
  if (payload.iat !== undefined && payload.iat * 1000 > nowMs + s.clockSkewMs) {
    throw tokenError(`token was issued in the future (iat ${isoSeconds(payload.iat)})`, ctx);
  }
  if (s.maxTokenLifetimeMs !== undefined) {
    // Without iat, nbf bounds the start; with neither, the lifetime is unknowable and the token is refused.
    const start = payload.iat ?? payload.nbf;
    if (start === undefined) throw tokenError(`issuer ${s.issuer} caps token lifetime, so the token needs an "iat" claim`, ctx);
    if ((exp - start) * 1000 > s.maxTokenLifetimeMs) {
      throw tokenError(`token lifetime ${exp - start}s exceeds the ${Math.round(s.maxTokenLifetimeMs / 1000)}s allowed for issuer ${s.issuer}`, ctx);
    }
  }
  if (!issuer.requiredClaims(payload)) {
    throw tokenError(`token claims do not satisfy issuer ${s.issuer}'s required claims (${Object.keys(s.requiredClaims).join(', ')})`, ctx);
  }
}

function keyResolverFor(settings: IssuerSettings, clock: Clock, fetchJson: FetchJson): KeyResolver {
  const src = settings.keys;
  if (src.kind === 'static') return createLocalJWKSet(src.jwks);
  const net = { fetchJson, timeoutMs: settings.fetchTimeoutMs, allowInsecureHttp: settings.allowInsecureHttp };
  let discovered: Promise<string> | undefined;
  let discoveredAtMs = 0;
  const jwksUrl =
    src.kind === 'jwksUri'
      ? () => Promise.resolve(src.uri)
      : () => {
          // Only called from a (cooldown-bounded) key fetch. The document is re-read as often as
          // the keys expire, so a moved jwks_uri is followed; a failed discovery is retried next time.
          if (discovered === undefined || clock.nowMs() - discoveredAtMs >= settings.jwksMaxAgeMs) {
            discoveredAtMs = clock.nowMs();
            const attempt = discoverJwksUri(settings.issuer, net);
            discovered = attempt;
            attempt.catch(() => {
              if (discovered === attempt) discovered = undefined;
            });
          }
          return discovered;
        };
  return new RemoteKeySet({
    ...net,
    jwksUrl,
    clock,
    cooldownMs: settings.refetchCooldownMs,
    maxAgeMs: settings.jwksMaxAgeMs,
  }).resolve;
}

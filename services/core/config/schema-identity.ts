import { z } from 'zod';
import { duration } from './duration.js';

/**
 * Asymmetric JWS algorithms only. HS* is refused outright: a shared HMAC secret would let the
 * gateway mint tokens, and pinning HS256 next to a public key is the classic algorithm-confusion
 * hole. "none" is not a value this enum can hold.
 */
export const jwsAlgorithms = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;
export type JwsAlgorithm = (typeof jwsAlgorithms)[number];

/** A claim constraint: a glob, a list of globs (any may match), or a scalar compared exactly. */
export const claimMatcher = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
  z.strictObject({ contains: z.union([z.string(), z.array(z.string()).min(1)]) }),
]);
export type ClaimMatcherConfig = z.output<typeof claimMatcher>;

/** Claim names are matched literally against the token's own top-level keys. */
export const claimConstraints = z.record(z.string().min(1).max(128), claimMatcher);

/**
 * Clock skew tolerance, at most 5 minutes: it extends every token's life by that much, so a
 * typo like "30m" for "30s" would quietly keep revoked tokens working.
 */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const clockSkew = duration.pipe(z.number().max(MAX_CLOCK_SKEW_MS, 'clock skew may be at most 5m (it extends every token\'s lifetime)'));

const PRIVATE_JWK_FIELDS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Public keys only: a private or symmetric key in a config file is a leaked secret. */
const jwk = z
  .looseObject({ kty: z.enum(['RSA', 'EC', 'OKP'], { error: 'expected kty RSA, EC or OKP (symmetric "oct" keys are not accepted)' }), kid: z.string().optional() })
  .refine((k) => PRIVATE_JWK_FIELDS.every((f) => !Object.hasOwn(k, f)), 'this key has private members (d, p, q, ...): publish only the public key');

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
/** Claims that tie a GitHub Actions token to an organisation, repository or enterprise. */
const GITHUB_SCOPE_CLAIMS = ['repository_owner', 'repository_owner_id', 'repository', 'repository_id', 'enterprise', 'enterprise_id'];

const issuerSchema = z
  .strictObject({
    issuer: z.string().min(1),
    /** The token's aud must contain one of these. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    algorithms: z.array(z.enum(jwsAlgorithms, { error: `expected one of ${jwsAlgorithms.join(', ')} (HS* and none are not accepted)` })).min(1),
    /** Explicit JWKS URL; when neither this nor jwks is set, OIDC discovery finds it. */
    jwksUri: z.url().optional(),
    /** Inline public keys, for tests and air-gapped setups. */
    jwks: z.strictObject({ keys: z.array(jwk).min(1) }).optional(),
    /** Claim holding the group list (an array of strings). */
    groupsClaim: z.string().min(1).default('groups'),
    /** Tokens must also satisfy these; e.g. repository_owner for the shared GitHub Actions issuer. */
    requiredClaims: claimConstraints.default({}),
    /** Rejects tokens whose exp - iat exceeds this (iat then becomes required). */
    maxTokenLifetime: duration.optional(),
    clockSkew: clockSkew.optional(),
    /** Plain http for discovery/JWKS is allowed only on loopback unless this is set. */
    allowInsecureHttp: z.boolean().default(false),
    fetchTimeout: duration.prefault('5s'),
    /** Minimum gap between JWKS refetches triggered by an unknown kid. */
    refetchCooldown: duration.prefault('30s'),
    /** Keys are refetched after this even when every kid is known. */
    jwksMaxAge: duration.prefault('10m'),
  })
  .check((ctx) => {
    const v = ctx.value;
    if (v.jwksUri !== undefined && v.jwks !== undefined) {
      ctx.issues.push({ code: 'custom', input: v, path: ['jwks'], message: 'set either jwksUri or jwks, not both' });
    }
    if (v.jwksUri === undefined && v.jwks === undefined && !isHttpUrl(v.issuer)) {
      ctx.issues.push({ code: 'custom', input: v.issuer, path: ['issuer'], message: 'OIDC discovery needs an http(s) issuer URL; otherwise set jwksUri or jwks' });
    }
    // Any workflow in any repository on GitHub can get a token from this issuer, with any audience
    // it asks for; without a pin on the owner, "aud: tollgate" proves nothing.
    if (v.issuer === GITHUB_ACTIONS_ISSUER && !GITHUB_SCOPE_CLAIMS.some((c) => Object.hasOwn(v.requiredClaims, c) && pinsOwner(v.requiredClaims[c]))) {
      ctx.issues.push({
        code: 'custom',
        input: v.requiredClaims,
        path: ['requiredClaims'],
        message: `the GitHub Actions issuer is shared by every repository on GitHub: pin one of ${GITHUB_SCOPE_CLAIMS.join(', ')} to exact owners (e.g. repository_owner: your-org; a "*" in the owner part would match organisations anyone can create)`,
      });
    }
  });

export type IssuerConfig = z.output<typeof issuerSchema>;

export const identitySchema = z
  .strictObject({
    issuers: z.array(issuerSchema).default([]),
    /** Tolerance for exp/nbf/iat when an issuer does not set its own. */
    clockSkew: clockSkew.prefault('30s'),
    /** Tokens longer than this are rejected before any parsing. */
    maxTokenBytes: z.number().int().min(512).max(1024 * 1024).default(16 * 1024),
    devIssuer: z
      .strictObject({
        /** Default: on only when no issuers are configured, so an empty config works and a real one is not weakened. */
        enabled: z.boolean().optional(),
        /** Default: <dataDir>/dev-issuer. */
        dir: z.string().min(1).optional(),
        audience: z.string().min(1).default('tollgate'),
        maxTtl: duration.prefault('12h'),
      })
      .prefault({}),
  })
  .check((ctx) => {
    const seen = new Set<string>();
    ctx.value.issuers.forEach((iss, i) => {
      if (seen.has(iss.issuer)) {
        ctx.issues.push({ code: 'custom', input: iss.issuer, path: ['issuers', i, 'issuer'], message: `issuer "${iss.issuer}" is configured twice` });
      }
      seen.add(iss.issuer);
    });
  })
  .prefault({});

/**
 * A pin names its owner exactly: no "*" before the first "/" of any string pattern, so
 * "acme/*" pins acme while "*", "**" and "acme*" (acme-evil is anyone's to register) do not.
 */
function pinsOwner(matcher: ClaimMatcherConfig | undefined): boolean {
  if (matcher === undefined) return false;
  const patterns = Array.isArray(matcher) ? matcher : typeof matcher === 'object' ? [] : [matcher];
  return patterns.every((p) => typeof p !== 'string' || !(p.split('/')[0] ?? '').includes('*'));
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

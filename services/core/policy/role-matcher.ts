import type { RoleConfig } from '../config/index.js';
import { compileClaimConstraints, type VerifiedIdentity } from '../identity/index.js';

export type IdentityPredicate = (identity: VerifiedIdentity) => boolean;

/**
 * Compiles a role's match block into one predicate. Issuer is exact and always checked, so a
 * group called "dba" at one issuer is unrelated to "dba" at another. groups (any of) and claims
 * (all of) are ANDed when both are present. Comparisons are exact and case-sensitive.
 */
export function compileRoleMatcher(match: RoleConfig['match']): IdentityPredicate {
  const issuers = new Set(typeof match.issuer === 'string' ? [match.issuer] : match.issuer);
  const groups = match.groups === undefined ? undefined : new Set(match.groups);
  const claims = match.claims === undefined ? undefined : compileClaimConstraints(match.claims);
  return (identity) => {
    if (typeof identity.issuer !== 'string' || !issuers.has(identity.issuer)) return false;
    if (groups !== undefined && !hasAnyGroup(identity.groups, groups)) return false;
    if (claims !== undefined && (identity.claims === null || typeof identity.claims !== 'object' || !claims(identity.claims))) return false;
    return true;
  };
}

/** Only string members of a real array count; anything else is "no groups". */
function hasAnyGroup(have: unknown, wanted: ReadonlySet<string>): boolean {
  if (!Array.isArray(have)) return false;
  for (const g of have) if (typeof g === 'string' && wanted.has(g)) return true;
  return false;
}

export { GITHUB_ACTIONS_ISSUER, type IdentityVerifier, type IssuerSettings, type KeySourceSpec, type VerifiedIdentity, type VerifyContext } from './types.js';
export { createIdentityVerifier, type VerifierOptions } from './verifier.js';
export { DEV_ISSUER, DevIssuer, type DevIssuerOptions, type MintRequest } from './dev-issuer.js';
export { buildIdentity, issuerSettingsFromConfig, type IdentityRuntime } from './from-config.js';
export { printable } from './token-inspect.js';
export { compileClaimConstraints, compileClaimTest, compileGlob, groupsFrom, ownClaim, type ClaimTest } from './claim-match.js';

export { loadConfig, parseConfig, type ConfigProblem, type Env, type LoadOptions, type ParseOptions } from './load.js';
export type { EventLogConfig, IdentitySettings, StoreConfig, TollgateConfig } from './resolve.js';
export { Secret } from './secret.js';
export { parseDurationMs } from './duration.js';
export { builtinGuardrailProfiles, builtinGuardrailProfilesOf, builtinMaskingProfiles, maskingActions, maskingDetectors, type GrantConfig, type RoleConfig } from './schema-policy.js';
export { GITHUB_ACTIONS_ISSUER, jwsAlgorithms, type ClaimMatcherConfig, type IssuerConfig, type JwsAlgorithm } from './schema-identity.js';
export type { ConnectionConfig } from './schema-network.js';

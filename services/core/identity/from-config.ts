import type { JSONWebKeySet } from 'jose';
import type { Clock } from '../clock.js';
import type { IdentitySettings, IssuerConfig } from '../config/index.js';
import { TollgateError } from '../errors.js';
import { DEV_ISSUER, DevIssuer } from './dev-issuer.js';
import type { IdentityVerifier, IssuerSettings } from './types.js';
import { createIdentityVerifier } from './verifier.js';

/** Normalises one configured issuer for the verifier. */
export function issuerSettingsFromConfig(cfg: IssuerConfig, defaultClockSkewMs: number): IssuerSettings {
  const keys: IssuerSettings['keys'] =
    cfg.jwks !== undefined
      ? { kind: 'static', jwks: cfg.jwks as JSONWebKeySet }
      : cfg.jwksUri !== undefined
        ? { kind: 'jwksUri', uri: cfg.jwksUri }
        : { kind: 'discovery' };
  return {
    issuer: cfg.issuer,
    audiences: typeof cfg.audience === 'string' ? [cfg.audience] : cfg.audience,
    algorithms: cfg.algorithms,
    keys,
    groupsClaim: cfg.groupsClaim,
    requiredClaims: cfg.requiredClaims,
    ...(cfg.maxTokenLifetime === undefined ? {} : { maxTokenLifetimeMs: cfg.maxTokenLifetime }),
    clockSkewMs: cfg.clockSkew ?? defaultClockSkewMs,
    allowInsecureHttp: cfg.allowInsecureHttp,
    fetchTimeoutMs: cfg.fetchTimeout,
    refetchCooldownMs: cfg.refetchCooldown,
    jwksMaxAgeMs: cfg.jwksMaxAge,
  };
}

export interface IdentityRuntime {
  verifier: IdentityVerifier;
  /** Present when identity.devIssuer.enabled; mints tokens for `tollgate token`. */
  devIssuer: DevIssuer | undefined;
}

/** Builds the verifier (and the dev issuer when enabled) from the loaded configuration. */
export async function buildIdentity(cfg: IdentitySettings, clock: Clock): Promise<IdentityRuntime> {
  const issuers = cfg.issuers.map((i) => issuerSettingsFromConfig(i, cfg.clockSkew));
  let devIssuer: DevIssuer | undefined;
  if (cfg.devIssuer.enabled) {
    if (issuers.some((i) => i.issuer === DEV_ISSUER)) {
      throw new TollgateError('TG_ERR_CONFIG', `identity.issuers configures "${DEV_ISSUER}", the development issuer's name: rename it or disable identity.devIssuer`);
    }
    devIssuer = await DevIssuer.open({ dir: cfg.devIssuer.dir, clock, audience: cfg.devIssuer.audience, maxTtlMs: cfg.devIssuer.maxTtl });
    issuers.push(devIssuer.issuerSettings(cfg.clockSkew));
  }
  return { verifier: createIdentityVerifier({ issuers, clock, maxTokenBytes: cfg.maxTokenBytes }), devIssuer };
}

import { TollgateError } from '../errors.js';
import type { FetchJson } from './fetch-json.js';
import { printable } from './token-inspect.js';

export interface DiscoveryOptions {
  fetchJson: FetchJson;
  timeoutMs: number;
  allowInsecureHttp: boolean;
}

/** The OIDC discovery URL for an issuer (issuer + "/.well-known/openid-configuration"). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * Fetches the discovery document and returns its jwks_uri. The document's issuer must equal the
 * configured one exactly (OIDC Discovery 4.3): otherwise a misrouted URL could hand us another
 * issuer's keys.
 */
export async function discoverJwksUri(issuer: string, options: DiscoveryOptions): Promise<string> {
  const url = discoveryUrl(issuer);
  const doc = await options.fetchJson(url, { timeoutMs: options.timeoutMs, allowInsecureHttp: options.allowInsecureHttp });
  if (doc === null || typeof doc !== 'object') {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `${url} is not an OIDC discovery document`, { context: { issuer } });
  }
  const record = doc as Record<string, unknown>;
  if (record.issuer !== issuer) {
    const got = typeof record.issuer === 'string' ? `"${printable(record.issuer, 200)}"` : 'none';
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `${url} names issuer ${got}, expected "${issuer}"`, { context: { issuer } });
  }
  if (typeof record.jwks_uri !== 'string' || record.jwks_uri === '') {
    throw new TollgateError('TG_ERR_AUTH_ISSUER', `${url} has no jwks_uri`, { context: { issuer } });
  }
  return record.jwks_uri;
}

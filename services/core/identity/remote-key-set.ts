import { createLocalJWKSet, errors, type CryptoKey, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import type { Clock } from '../clock.js';
import { TollgateError, isTollgateError } from '../errors.js';
import type { FetchJson } from './fetch-json.js';

/** Resolves the verification key for a token header, as jose's jwtVerify expects. */
export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

export interface RemoteKeySetOptions {
  /** Returns the JWKS URL; discovery resolves it lazily. */
  jwksUrl: () => Promise<string>;
  clock: Clock;
  fetchJson: FetchJson;
  timeoutMs: number;
  /** Minimum gap between fetches (successful or not) triggered by an unknown kid. */
  cooldownMs: number;
  /** Keys older than this are refetched before use (outside the cooldown). */
  maxAgeMs: number;
  allowInsecureHttp: boolean;
}

/**
 * A JWKS fetched over HTTP with a bounded refetch rate. jose's createRemoteJWKSet has the same
 * idea but reads Date.now() and only counts successful fetches toward its cooldown; this one uses
 * the injected clock (deterministic tests) and counts every attempt, so tokens with random kids
 * cannot make the gateway hammer an issuer, even while the issuer is failing.
 */
export class RemoteKeySet {
  #keys: ReturnType<typeof createLocalJWKSet> | undefined;
  #fetchedAtMs = Number.NEGATIVE_INFINITY;
  #attemptedAtMs = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  readonly #opts: RemoteKeySetOptions;

  constructor(options: RemoteKeySetOptions) {
    this.#opts = options;
  }

  /** The resolver handed to jwtVerify. */
  readonly resolve: KeyResolver = async (header, token) => {
    const now = this.#opts.clock.nowMs();
    const stale = now - this.#fetchedAtMs >= this.#opts.maxAgeMs;
    if ((this.#keys === undefined || stale) && this.#mayFetch(now)) await this.#refreshKeepingStale();
    const keys = this.#keys;
    if (keys === undefined) {
      throw new TollgateError('TG_ERR_AUTH_ISSUER', 'issuer keys are unavailable (last fetch failed; retrying after the cooldown)');
    }
    try {
      return await keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || !this.#mayFetch(this.#opts.clock.nowMs())) throw err;
    }
    // An unknown kid may mean the issuer rotated keys: one refetch, then decide.
    await this.#refresh();
    return (this.#keys ?? keys)(header, token);
  };

  #mayFetch(now: number): boolean {
    return this.#inflight !== undefined || now - this.#attemptedAtMs >= this.#opts.cooldownMs;
  }

  /** On failure keep serving the keys we have: an issuer outage should not lock everyone out. */
  async #refreshKeepingStale(): Promise<void> {
    try {
      await this.#refresh();
    } catch (err) {
      if (this.#keys === undefined || !isTollgateError(err, 'TG_ERR_AUTH_ISSUER')) throw err;
    }
  }

  #refresh(): Promise<void> {
    // Concurrent verifications share one fetch.
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(): Promise<void> {
    this.#attemptedAtMs = this.#opts.clock.nowMs();
    const url = await this.#opts.jwksUrl();
    const body = await this.#opts.fetchJson(url, { timeoutMs: this.#opts.timeoutMs, allowInsecureHttp: this.#opts.allowInsecureHttp });
    if (!isJwks(body)) {
      throw new TollgateError('TG_ERR_AUTH_ISSUER', `${url} is not a JSON Web Key Set (expected { "keys": [...] })`, { context: { url } });
    }
    this.#keys = createLocalJWKSet(body);
    this.#fetchedAtMs = this.#opts.clock.nowMs();
  }
}

function isJwks(body: unknown): body is JSONWebKeySet {
  if (body === null || typeof body !== 'object' || !('keys' in body) || !Array.isArray(body.keys)) return false;
  return body.keys.every((k: unknown) => k !== null && typeof k === 'object' && !Array.isArray(k));
}

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { isTollgateError } from '../errors.js';
import { fetchJson } from './fetch-json.js';
import { TestIssuerServer, makeKey, sign, type TestKey } from './testing/test-issuer.js';
import type { IdentityVerifier, IssuerSettings, KeySourceSpec } from './types.js';
import { createIdentityVerifier } from './verifier.js';

const server = new TestIssuerServer();

async function expectFailure(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(isTollgateError(err) && err.code).toBe(code);
  expect((err as Error).message).toMatch(message);
}
let k1: TestKey;
let clock: ManualClock;

beforeAll(async () => {
  await server.start();
  k1 = await makeKey('k1');
});
afterAll(() => server.stop());

beforeEach(() => {
  server.keys = [k1.publicJwk];
  server.jwksHits = 0;
  server.discoveryHits = 0;
  server.failStatus = undefined;
  server.discoveryIssuer = undefined;
  clock = new ManualClock(Date.UTC(2026, 0, 1));
});
afterEach(() => {
  server.failStatus = undefined;
});

function verifierFor(keys: KeySourceSpec, extra: Partial<IssuerSettings> = {}): IdentityVerifier {
  const settings: IssuerSettings = {
    issuer: server.issuer,
    audiences: ['tollgate'],
    algorithms: ['ES256'],
    keys,
    groupsClaim: 'groups',
    requiredClaims: {},
    clockSkewMs: 30_000,
    allowInsecureHttp: false,
    fetchTimeoutMs: 2000,
    refetchCooldownMs: 30_000,
    jwksMaxAgeMs: 600_000,
    ...extra,
  };
  return createIdentityVerifier({ clock, issuers: [settings] });
}

const token = (key: TestKey, extra: Record<string, unknown> = {}) => {
  const now = clock.nowMs() / 1000;
  return sign(key, { iss: server.issuer, aud: 'tollgate', sub: 'ci', iat: now, exp: now + 300, ...extra });
};

describe('JWKS over HTTP (real server on 127.0.0.1)', () => {
  it('fetches once and then serves from the cache', async () => {
    const v = verifierFor({ kind: 'jwksUri', uri: server.jwksUri });
    for (let i = 0; i < 5; i++) await v.verify(await token(k1));
    expect(server.jwksHits).toBe(1);
  });

  it('bounds refetches caused by unknown kids to one per cooldown', async () => {
    const v = verifierFor({ kind: 'jwksUri', uri: server.jwksUri });
    await v.verify(await token(k1));
    const strangers = await Promise.all(Array.from({ length: 10 }, (_, i) => makeKey(`random-${i}`)));
    for (const s of strangers) await expect(v.verify(await token(s))).rejects.toMatchObject({ code: 'TG_ERR_AUTH_TOKEN' });
    expect(server.jwksHits).toBe(1); // the first fetch was inside this cooldown window
    clock.advanceMs(30_000);
    for (const s of strangers) await expect(v.verify(await token(s))).rejects.toMatchObject({ code: 'TG_ERR_AUTH_TOKEN' });
    expect(server.jwksHits).toBe(2);
  });

  it('picks up a rotated key after the cooldown', async () => {
    const v = verifierFor({ kind: 'jwksUri', uri: server.jwksUri });
    await v.verify(await token(k1));
    const k2 = await makeKey('k2');
    server.keys = [k1.publicJwk, k2.publicJwk];
    clock.advanceMs(31_000);
    await expect(v.verify(await token(k2))).resolves.toMatchObject({ subject: 'ci' });
    expect(server.jwksHits).toBe(2);
  });

  it('shares one fetch between concurrent verifications', async () => {
    const v = verifierFor({ kind: 'jwksUri', uri: server.jwksUri });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => token(k1)));
    await Promise.all(tokens.map((t) => v.verify(t)));
    expect(server.jwksHits).toBe(1);
  });

  it('refetches keys older than jwksMaxAge', async () => {
    const v = verifierFor({ kind: 'jwksUri', uri: server.jwksUri }, { jwksMaxAgeMs: 60_000 });
    await v.verify(await token(k1));
    clock.advanceMs(61_000);
    await v.verify(await token(k1));
    expect(server.jwksHits).toBe(2);
  });

  it('keeps using cached keys when a refresh fails, and retries only after the cooldown', async () => {
    const v = verifierFor({ kind: 'jwksUri', uri: server.jwksUri }, { jwksMaxAgeMs: 60_000 });
    await v.verify(await token(k1));
    server.failStatus = 500;
    clock.advanceMs(61_000);
    await expect(v.verify(await token(k1))).resolves.toBeDefined();
    await expect(v.verify(await token(k1))).resolves.toBeDefined();
    expect(server.jwksHits).toBe(2);
  });

  it('reports an unreachable or failing issuer as TG_ERR_AUTH_ISSUER without hammering it', async () => {
    server.failStatus = 503;
    const v = verifierFor({ kind: 'jwksUri', uri: server.jwksUri });
    await expectFailure(v.verify(await token(k1)), 'TG_ERR_AUTH_ISSUER', /HTTP 503/);
    for (let i = 0; i < 5; i++) await expect(v.verify(await token(k1))).rejects.toMatchObject({ code: 'TG_ERR_AUTH_ISSUER' });
    expect(server.jwksHits).toBe(1);
    server.failStatus = undefined;
    clock.advanceMs(30_000);
    await expect(v.verify(await token(k1))).resolves.toBeDefined();
  });

  it('does not fetch anything for a token rejected before key lookup', async () => {
    const v = verifierFor({ kind: 'jwksUri', uri: server.jwksUri });
    await expect(v.verify('x'.repeat(20_000))).rejects.toMatchObject({ code: 'TG_ERR_AUTH_TOKEN' });
    await expect(v.verify(await token(k1, { iss: 'https://elsewhere' }))).rejects.toMatchObject({ code: 'TG_ERR_AUTH_TOKEN' });
    await expect(v.verify(await token(k1, {}).then((t) => t.replace(/^[^.]+/, Buffer.from('{"alg":"HS256","kid":"k1"}').toString('base64url'))))).rejects.toMatchObject({ code: 'TG_ERR_AUTH_TOKEN' });
    expect(server.jwksHits).toBe(0);
  });
});

describe('OIDC discovery', () => {
  it('finds jwks_uri through the discovery document, once', async () => {
    const v = verifierFor({ kind: 'discovery' });
    await v.verify(await token(k1));
    await v.verify(await token(k1));
    expect(server.discoveryHits).toBe(1);
    expect(server.jwksHits).toBe(1);
  });

  it('re-reads the discovery document when the keys expire', async () => {
    const v = verifierFor({ kind: 'discovery' }, { jwksMaxAgeMs: 60_000 });
    await v.verify(await token(k1));
    clock.advanceMs(61_000);
    await v.verify(await token(k1));
    expect(server.discoveryHits).toBe(2);
    expect(server.jwksHits).toBe(2);
  });

  it('refuses a discovery document naming another issuer', async () => {
    server.discoveryIssuer = 'https://evil.example';
    const v = verifierFor({ kind: 'discovery' });
    await expectFailure(v.verify(await token(k1)), 'TG_ERR_AUTH_ISSUER', /names issuer "https:\/\/evil.example"/);
    expect(server.jwksHits).toBe(0);
  });

  it('does not copy control characters from a discovery document into its error', async () => {
    server.discoveryIssuer = 'https://evil.example\n2026-01-01 INFO forged line\u001b[31m';
    const v = verifierFor({ kind: 'discovery' });
    // eslint-disable-next-line no-control-regex
    await expectFailure(v.verify(await token(k1)), 'TG_ERR_AUTH_ISSUER', /^[^\n\u001b]*names issuer "https:\/\/evil\.example\?2026[^\n\u001b]*$/);
  });
});

describe('fetchJson', () => {
  const opts = { timeoutMs: 2000, allowInsecureHttp: false };

  it('refuses plain http to a non-loopback host unless allowed', async () => {
    await expectFailure(fetchJson('http://idp.example.com/jwks', opts), 'TG_ERR_AUTH_ISSUER', /must use https/);
    await expect(fetchJson('ftp://127.0.0.1/jwks', opts)).rejects.toMatchObject({ code: 'TG_ERR_AUTH_ISSUER' });
    // eslint-disable-next-line no-control-regex
    await expectFailure(fetchJson('not a url\n\u001b[2J', opts), 'TG_ERR_AUTH_ISSUER', /^[^\n\u001b]*$/);
  });

  it('refuses redirects and oversized bodies', async () => {
    await expectFailure(fetchJson(`${server.issuer}/redirect`, opts), 'TG_ERR_AUTH_ISSUER', /HTTP 302/);
    await expectFailure(fetchJson(`${server.issuer}/huge`, opts), 'TG_ERR_AUTH_ISSUER', /bytes/);
  });

  it('reports a refused connection as an issuer error', async () => {
    await expect(fetchJson('http://127.0.0.1:1/jwks', opts)).rejects.toMatchObject({ code: 'TG_ERR_AUTH_ISSUER' });
  });
});

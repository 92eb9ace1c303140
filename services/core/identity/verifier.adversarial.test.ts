import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { isTollgateError, type TollgateError } from '../errors.js';
import { b64url, makeKey, sign, type TestKey } from './testing/test-issuer.js';
import type { IdentityVerifier, IssuerSettings } from './types.js';
import { createIdentityVerifier } from './verifier.js';

// Attacks from an adversarial review of the verifier, by someone who has read its source.
const ISS = 'https://idp.example.test';
const OTHER = 'https://other.example.test';

let clock: ManualClock;
let key: TestKey;
let otherKey: TestKey;
let verifier: IdentityVerifier;
let nowS: number;

function settings(issuer: string, keys: TestKey[]): IssuerSettings {
  return {
    issuer,
    audiences: ['tollgate'],
    algorithms: ['ES256'],
    keys: { kind: 'static', jwks: { keys: keys.map((k) => k.publicJwk) } },
    groupsClaim: 'groups',
    requiredClaims: {},
    clockSkewMs: 30_000,
    allowInsecureHttp: false,
    fetchTimeoutMs: 1000,
    refetchCooldownMs: 30_000,
    jwksMaxAgeMs: 600_000,
  };
}

const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISS, aud: 'tollgate', sub: 'alice', iat: nowS, exp: nowS + 600, ...extra });

/** Signs an exact payload text (so duplicate keys survive) with an exact header. */
async function signRaw(k: TestKey, header: Record<string, unknown>, payloadJson: string): Promise<string> {
  const { webcrypto } = await import('node:crypto');
  const input = `${b64url({ alg: 'ES256', kid: k.kid, typ: 'JWT', ...header })}.${b64url(payloadJson)}`;
  const sig = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, k.privateKey, Buffer.from(input));
  return `${input}.${Buffer.from(sig).toString('base64url')}`;
}

async function rejection(token: string): Promise<TollgateError> {
  const err = await verifier.verify(token).then(() => undefined, (e: unknown) => e);
  if (!isTollgateError(err)) throw new Error(`expected a TollgateError, got ${String(err)}`);
  return err;
}

// Terminal escapes, line breaks (C0, C1, Unicode separators) and bidi overrides would let a token
// forge log lines or disguise text wherever an error message is printed.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

beforeAll(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  nowS = clock.nowMs() / 1000;
  key = await makeKey('k1');
  otherKey = await makeKey('k2');
  verifier = createIdentityVerifier({ clock, issuers: [settings(ISS, [key]), settings(OTHER, [otherKey])] });
});

describe('header tricks', () => {
  it.each(['Es256', 'es256', 'ES256 ', 'ES256\u0000', 'ＥＳ256'])('rejects alg %j (only the exact pinned spelling counts)', async (alg) => {
    expect((await rejection(await sign(key, claims(), { alg }))).message).toMatch(/algorithm/);
  });

  it('ignores an embedded jwk even with a kid that matches nothing', async () => {
    const attacker = await makeKey('evil');
    const err = await rejection(await sign(attacker, claims(), { jwk: attacker.publicJwk, kid: 'evil' }));
    expect(err.message).toMatch(/no signing key/);
  });

  it.each(['../../etc/passwd', "k1' OR '1'='1", 'k1\u0000', '', 'k1/../k1'])('treats kid %j as an opaque lookup key', async (kid) => {
    const err = await rejection(await sign(key, claims(), { kid }));
    expect(err.code).toBe('TG_ERR_AUTH_TOKEN');
  });

  it('rejects b64:false (unencoded payload) tokens', async () => {
    const err = await rejection(await sign(key, claims(), { b64: false, crit: ['b64'] }));
    expect(err.code).toBe('TG_ERR_AUTH_TOKEN');
  });

  it('rejects a nested JWT (cty: JWT) whose payload is another token', async () => {
    const inner = await sign(key, claims());
    const token = await signRaw(key, { cty: 'JWT' }, JSON.stringify(inner));
    expect((await rejection(token)).code).toBe('TG_ERR_AUTH_TOKEN');
  });

  it.each([`${'x'}.`, '.', '\n', ' ', '\r\n', '=', '.sig'])('rejects a valid token with %j appended', async (suffix) => {
    expect((await rejection(`${await sign(key, claims())}${suffix}`)).code).toBe('TG_ERR_AUTH_TOKEN');
  });
});

describe('duplicate keys and issuer confusion', () => {
  it('picks the issuer from the same iss jose verifies (last duplicate wins in both)', async () => {
    // Signed by ISS's key; the first iss names OTHER. Both readers must agree on ISS.
    const payload = `{"iss":"${OTHER}","aud":"tollgate","sub":"alice","exp":${nowS + 600},"iss":"${ISS}"}`;
    const id = await verifier.verify(await signRaw(key, {}, payload));
    expect(id.issuer).toBe(ISS);
    expect(id.claims.iss).toBe(ISS);
  });

  it('cannot borrow another issuer\'s trust with a duplicate iss', async () => {
    const payload = `{"iss":"${ISS}","aud":"tollgate","sub":"alice","exp":${nowS + 600},"iss":"${OTHER}"}`;
    expect((await rejection(await signRaw(key, {}, payload))).message).toMatch(/signature does not verify|no signing key/);
  });

  it('a duplicate sub resolves to one value everywhere', async () => {
    const payload = `{"iss":"${ISS}","aud":"tollgate","sub":"admin","exp":${nowS + 600},"sub":"alice"}`;
    const id = await verifier.verify(await signRaw(key, {}, payload));
    expect(id.subject).toBe('alice');
    expect(id.claims.sub).toBe(id.subject);
  });
});

describe('claim values', () => {
  it('accepts an audience array that contains ours among others (RFC 7519 4.1.3)', async () => {
    await expect(verifier.verify(await sign(key, claims({ aud: ['other-service', 'tollgate'] })))).resolves.toMatchObject({ subject: 'alice' });
  });

  it.each([
    ['exp as a string', { exp: String(nowS + 600) }],
    ['nbf as a string', { nbf: String(nowS) }],
    ['iat as a string', { iat: String(nowS) }],
    ['exp beyond year 9999', { exp: 1e15 }],
    ['exp as Infinity-like huge float', { exp: 1.7976931348623157e308 }],
    ['negative exp', { exp: -1 }],
    ['nbf far in the future', { nbf: nowS + 86_400 }],
    ['aud of another service only', { aud: ['other-service'] }],
    ['aud as an object', { aud: { tollgate: true } }],
  ])('rejects %s', async (_what, extra) => {
    expect((await rejection(await sign(key, claims(extra)))).code).toBe('TG_ERR_AUTH_TOKEN');
  });

  it('accepts a fractional exp inside the lifetime', async () => {
    await expect(verifier.verify(await sign(key, claims({ exp: nowS + 600.5 })))).resolves.toBeDefined();
  });

  it.each([' ', '\t', '\n', 'alice\nadmin', 'alice\u001b[2J', 'ali\u202ece', '\u2028'])('rejects sub %j (blank or carrying control characters)', async (sub) => {
    const err = await rejection(await sign(key, claims({ sub })));
    expect(err.message).toMatch(/"sub"/);
  });

  it('keeps a unicode sub exactly as signed (no normalisation that could merge two identities)', async () => {
    const id = await verifier.verify(await sign(key, claims({ sub: 'ａlice' })));
    expect(id.subject).toBe('ａlice');
    expect(id.subject).not.toBe('alice');
  });

  it('keeps only string groups and freezes them', async () => {
    const id = await verifier.verify(await sign(key, claims({ groups: ['dba', 1, null, { a: 1 }, ['x'], 'ops'] })));
    expect(id.groups).toEqual(['dba', 'ops']);
    expect(Object.isFrozen(id.groups)).toBe(true);
  });

  it('a __proto__ claim stays an own, inert claim', async () => {
    const payload = `{"iss":"${ISS}","aud":"tollgate","sub":"alice","exp":${nowS + 600},"__proto__":{"groups":["admin"]},"constructor":"x"}`;
    const id = await verifier.verify(await signRaw(key, {}, payload));
    expect(id.groups).toEqual([]);
    expect(({} as Record<string, unknown>).groups).toBeUndefined();
  });
});

describe('error messages never carry control characters from the token', () => {
  const nasty = 'x\n2026-01-01 INFO login ok user=root\u001b[31m\u2028\u202e';
  it.each([
    ['crit naming an odd parameter', async () => sign(key, claims(), { crit: [nasty], [nasty]: 1 })],
    ['crit naming a missing parameter', async () => sign(key, claims(), { crit: [nasty] })],
    ['an unknown issuer', async () => sign(key, claims({ iss: nasty }))],
    ['an odd alg', async () => sign(key, claims(), { alg: nasty })],
    ['an odd kid', async () => sign(key, claims(), { kid: nasty })],
    ['an odd audience', async () => sign(key, claims({ aud: nasty }))],
  ])('%s', async (_what, make) => {
    const err = await rejection(await make());
    expect(err.message).not.toMatch(UNSAFE);
  });
});

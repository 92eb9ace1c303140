import { createHmac, createPublicKey } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { isTollgateError, type TollgateError } from '../errors.js';
import { b64url, makeKey, sign, type TestKey } from './testing/test-issuer.js';
import type { IdentityVerifier, IssuerSettings, VerifiedIdentity } from './types.js';
import { createIdentityVerifier } from './verifier.js';

const ISS = 'https://idp.example.test';
const OTHER_ISS = 'https://other.example.test';
const GITHUB = 'https://token.actions.githubusercontent.com';

function settings(issuer: string, keys: TestKey[], extra: Partial<IssuerSettings> = {}): IssuerSettings {
  return {
    issuer,
    audiences: ['tollgate'],
    algorithms: ['ES256', 'RS256'],
    keys: { kind: 'static', jwks: { keys: keys.map((k) => k.publicJwk) } },
    groupsClaim: 'groups',
    requiredClaims: {},
    clockSkewMs: 30_000,
    allowInsecureHttp: false,
    fetchTimeoutMs: 1000,
    refetchCooldownMs: 30_000,
    jwksMaxAgeMs: 600_000,
    ...extra,
  };
}

let clock: ManualClock;
let k1: TestKey;
let rsa: TestKey;
let otherKey: TestKey;
let verifier: IdentityVerifier;
let nowS: number;

const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISS, aud: 'tollgate', sub: 'alice', iat: nowS, exp: nowS + 600, groups: ['dba'], ...extra });

async function rejection(token: string): Promise<TollgateError> {
  try {
    await verifier.verify(token);
  } catch (err) {
    if (!isTollgateError(err)) throw err;
    // No failure may quote the token (or its signature) back.
    const sig = token.split('.')[2] ?? token;
    if (sig.length > 8) {
      expect(err.message).not.toContain(sig);
      expect(JSON.stringify(err)).not.toContain(sig);
    }
    return err;
  }
  throw new Error('token was accepted');
}

beforeAll(async () => {
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  nowS = clock.nowMs() / 1000;
  k1 = await makeKey('k1');
  rsa = await makeKey('rsa1', 'RS256');
  otherKey = await makeKey('other');
  verifier = createIdentityVerifier({
    clock,
    issuers: [
      settings(ISS, [k1, rsa]),
      settings(OTHER_ISS, [otherKey], { groupsClaim: 'roles' }),
      settings(GITHUB, [k1], { requiredClaims: { repository_owner: 'acme' }, audiences: ['https://github.com/acme'] }),
      settings('https://short.example.test', [k1], { maxTokenLifetimeMs: 3_600_000 }),
    ],
  });
});

describe('accepting good tokens', () => {
  it('returns subject, issuer, groups, claims and expiry', async () => {
    const id = await verifier.verify(await sign(k1, claims({ email: 'a@x' })));
    expect(id).toMatchObject({ subject: 'alice', issuer: ISS, groups: ['dba'], expiresAt: (nowS + 600) * 1000 });
    expect(id.claims.email).toBe('a@x');
  });

  it('accepts RSA keys, an audience list, and tokens inside the clock skew', async () => {
    await expect(verifier.verify(await sign(rsa, claims({ aud: ['x', 'tollgate'] })))).resolves.toMatchObject({ subject: 'alice' });
    await expect(verifier.verify(await sign(k1, claims({ exp: nowS - 10, iat: nowS - 100 })))).resolves.toBeDefined();
    await expect(verifier.verify(await sign(k1, claims({ nbf: nowS + 10 })))).resolves.toBeDefined();
  });

  it('reads groups from the issuer-configured claim and only from an array of strings', async () => {
    const other = (c: Record<string, unknown>) => sign(otherKey, { ...claims(), iss: OTHER_ISS, ...c });
    expect((await verifier.verify(await other({ roles: ['ops', 7, { g: 1 }], groups: ['dba'] }))).groups).toEqual(['ops']);
    expect((await verifier.verify(await other({ roles: 'admin' }))).groups).toEqual([]);
    expect((await verifier.verify(await other({ roles: { 0: 'admin', length: 1 } }))).groups).toEqual([]);
  });

  it('accepts a GitHub Actions token from the pinned owner and exposes its workflow claims', async () => {
    const gh = { iss: GITHUB, aud: 'https://github.com/acme', repository: 'acme/app', repository_owner: 'acme', ref: 'refs/heads/main', workflow: 'deploy', environment: 'production' };
    const id = await verifier.verify(await sign(k1, claims({ ...gh, sub: 'repo:acme/app:environment:production' })));
    expect(id.claims).toMatchObject({ repository: 'acme/app', ref: 'refs/heads/main', workflow: 'deploy', environment: 'production' });
  });
});

describe('time', () => {
  it('rejects an expired token and says when it expired', async () => {
    const token = await sign(k1, claims({ exp: nowS + 60 }));
    clock.advanceMs(91_000);
    try {
      const err = await rejection(token);
      expect(err.code).toBe('TG_ERR_AUTH_TOKEN');
      expect(err.message).toContain(`expired at ${new Date((nowS + 60) * 1000).toISOString()}`);
    } finally {
      clock.advanceMs(-91_000);
    }
  });

  it('rejects a token not yet valid (nbf beyond the skew)', async () => {
    const err = await rejection(await sign(k1, claims({ nbf: nowS + 120 })));
    expect(err.message).toMatch(/not valid before/);
  });

  it('rejects a token issued in the future', async () => {
    expect((await rejection(await sign(k1, claims({ iat: nowS + 3600, exp: nowS + 7200 })))).message).toMatch(/issued in the future/);
  });

  it('enforces a maximum token lifetime, and needs iat to do it', async () => {
    const short = { iss: 'https://short.example.test' };
    await expect(verifier.verify(await sign(k1, claims({ ...short, exp: nowS + 3000 })))).resolves.toBeDefined();
    expect((await rejection(await sign(k1, claims({ ...short, exp: nowS + 7200 })))).message).toMatch(/lifetime 7200s exceeds/);
    expect((await rejection(await sign(k1, claims({ ...short, iat: undefined })))).message).toMatch(/needs an "iat"/);
  });

  it.each([['iat', 1e300], ['nbf', 1e300], ['iat', -1e300], ['nbf', -1], ['exp', 1e300], ['exp', 253_402_300_800]])('rejects an out-of-range %s (%d) with a token error', async (claim, value) => {
    const err = await rejection(await sign(k1, claims({ [claim]: value })));
    expect(err.code).toBe('TG_ERR_AUTH_TOKEN');
  });

  it.each([['exp', 'soon'], ['exp', null], ['nbf', 'later'], ['exp', '1767225600']])('rejects a non-numeric %s (%j)', async (claim, value) => {
    expect((await rejection(await sign(k1, claims({ [claim]: value })))).code).toBe('TG_ERR_AUTH_TOKEN');
  });
});

describe('required claims', () => {
  it.each(['exp', 'aud', 'sub'])('rejects a token without %s and names it', async (claim) => {
    const err = await rejection(await sign(k1, claims({ [claim]: undefined })));
    expect(err.message).toContain(`"${claim}"`);
  });

  it('rejects an empty subject', async () => {
    expect((await rejection(await sign(k1, claims({ sub: '' })))).code).toBe('TG_ERR_AUTH_TOKEN');
  });

  it('rejects a wrong audience and says which audience was expected', async () => {
    const err = await rejection(await sign(k1, claims({ aud: 'grafana' })));
    expect(err.message).toMatch(/audience "grafana" is not accepted.*"tollgate"/);
  });

  it('rejects an unknown issuer, and one that differs only in case or a trailing slash', async () => {
    for (const iss of ['https://evil.example', ISS.toUpperCase(), `${ISS}/`]) {
      const err = await rejection(await sign(k1, claims({ iss })));
      expect(err.message).toMatch(/is not a configured issuer/);
    }
  });

  it('rejects a token without iss, or with a non-string iss', async () => {
    for (const iss of [undefined, 42, [ISS], { ISS }]) {
      expect((await rejection(await sign(k1, claims({ iss })))).message).toMatch(/no "iss"/);
    }
  });

  it('enforces an issuer\'s required claims (GitHub owner pinning)', async () => {
    const gh = { iss: GITHUB, aud: 'https://github.com/acme', repository: 'evil/app' };
    for (const owner of ['evil', 'ACME', ['acme'], undefined]) {
      const err = await rejection(await sign(k1, claims({ ...gh, repository_owner: owner })));
      expect(err.message).toMatch(/required claims \(repository_owner\)/);
    }
  });
});

describe('signatures and algorithms (attacker knows the source)', () => {
  it('rejects alg "none" in any spelling, with or without a signature part', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64url({ alg, typ: 'JWT' })}.${b64url(claims())}`;
      expect((await rejection(`${unsigned}.`)).code).toBe('TG_ERR_AUTH_TOKEN');
      expect((await rejection(`${unsigned}.${b64url('sig')}`)).message).toMatch(/alg "none"|not allowed/);
    }
  });

  it('rejects HS256 signed with the issuer\'s public key as the HMAC secret (algorithm confusion)', async () => {
    const pem = createPublicKey({ key: rsa.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const secrets = [pem, JSON.stringify(rsa.publicJwk), JSON.stringify(k1.publicJwk)];
    for (const secret of secrets) {
      for (const kid of ['rsa1', 'k1']) {
        const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid })}.${b64url(claims())}`;
        const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
        const err = await rejection(token);
        expect(err.message).toMatch(/algorithm "HS256" is not allowed/);
      }
    }
  });

  it('rejects a token signed by an unknown key that claims a known kid', async () => {
    const forger = await makeKey('k1');
    const err = await rejection(await sign(forger, claims()));
    expect(err.message).toMatch(/signature does not verify/);
  });

  it('rejects a token signed by another configured issuer\'s key', async () => {
    expect((await rejection(await sign(otherKey, claims()))).message).toMatch(/no signing key with kid "other"/);
    expect((await rejection(await sign(otherKey, claims(), { kid: 'k1' }))).message).toMatch(/signature does not verify/);
  });

  it('rejects a valid token whose payload was swapped or edited', async () => {
    const good = await sign(k1, claims());
    const [h, , s] = good.split('.');
    for (const payload of [claims({ sub: 'root' }), claims({ groups: ['admin'] }), claims({ exp: nowS + 1e6 })]) {
      expect((await rejection(`${h}.${b64url(payload)}.${s}`)).message).toMatch(/signature does not verify/);
    }
  });

  it('rejects an algorithm the issuer did not pin, even with a valid signature', async () => {
    const es = createIdentityVerifier({ clock, issuers: [settings(ISS, [k1, rsa], { algorithms: ['ES256'] })] });
    await expect(es.verify(await sign(rsa, claims()))).rejects.toThrow(/"RS256" is not allowed/);
  });

  it('ignores keys embedded in the header (jwk, jku, x5u)', async () => {
    const attacker = await makeKey('k1');
    const token = await sign(attacker, claims(), { jwk: attacker.publicJwk, jku: 'http://127.0.0.1:1/jwks', x5u: 'http://127.0.0.1:1/x' });
    expect((await rejection(token)).message).toMatch(/signature does not verify/);
  });

  it('rejects unknown critical header parameters', async () => {
    expect((await rejection(await sign(k1, claims(), { crit: ['exp-tollgate'], 'exp-tollgate': 1 }))).code).toBe('TG_ERR_AUTH_TOKEN');
  });
});

describe('malformed input', () => {
  it('rejects an oversized token before parsing it', async () => {
    const huge = `${b64url({ alg: 'ES256' })}.${'A'.repeat(16 * 1024)}.sig`;
    expect((await rejection(huge)).message).toMatch(/limit is 16384/);
  });

  it('rejects encrypted tokens (JWE) with a clear message', async () => {
    expect((await rejection('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d')).message).toMatch(/JWE/);
  });

  it.each(['', 'a', 'a.b', 'a.b.c', 'Bearer x.y.z', '...', 'a..c', `${b64url('not json')}.${b64url('x')}.${b64url('s')}`, `${b64url([1])}.${b64url({})}.${b64url('s')}`])(
    'rejects %j as a token error',
    async (token) => {
      expect((await rejection(token)).code).toBe('TG_ERR_AUTH_TOKEN');
    },
  );

  it('rejects non-string tokens', async () => {
    for (const value of [undefined, null, 42, {}, ['a.b.c']]) {
      await expect(verifier.verify(value as string)).rejects.toMatchObject({ code: 'TG_ERR_AUTH_TOKEN' });
    }
  });

  it('answers validly signed tokens with arbitrary claim values by accepting or a token error, never a crash', async () => {
    const value = fc.oneof(fc.jsonValue(), fc.double(), fc.constant(null), fc.string());
    const claimSet = fc.record({ iss: fc.constant(ISS), aud: fc.oneof(fc.constant('tollgate'), value), sub: value, exp: value, nbf: value, iat: value, groups: value }, { requiredKeys: ['iss'] });
    await fc.assert(
      fc.asyncProperty(claimSet, async (c) => {
        const result: VerifiedIdentity | Error = await verifier.verify(await sign(k1, c)).then((id) => id, (e: unknown) => e as Error);
        if (result instanceof Error) expect(isTollgateError(result, 'TG_ERR_AUTH_TOKEN')).toBe(true);
        else expect(typeof result.subject).toBe('string');
      }),
      { numRuns: 150 },
    );
  });

  it('rejects arbitrary garbage with TG_ERR_AUTH_TOKEN and nothing else', async () => {
    const part = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/);
    const token = fc.oneof(fc.string(), fc.tuple(part, part, part).map((p) => p.join('.')), fc.json().map((j) => `${b64url(j)}.${b64url(j)}.c2ln`));
    await fc.assert(
      fc.asyncProperty(token, async (t) => {
        const err = await verifier.verify(t).then(() => undefined, (e: unknown) => e);
        expect(isTollgateError(err, 'TG_ERR_AUTH_TOKEN')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

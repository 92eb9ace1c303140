import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { parseConfig } from '../config/index.js';
import { DEV_ISSUER, DevIssuer } from './dev-issuer.js';
import { buildIdentity } from './from-config.js';
import { createIdentityVerifier } from './verifier.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tg-dev-issuer-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('DevIssuer', () => {
  it('creates a private key file readable only by its owner, and reuses it', async () => {
    const dir = join(root, 'a');
    const clock = new ManualClock();
    const first = await DevIssuer.open({ dir, clock });
    const second = await DevIssuer.open({ dir, clock });
    expect(second.jwks()).toEqual(first.jwks());
    const file = join(dir, 'signing-key.jwk.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o077).toBe(0);
    expect(JSON.stringify(first.jwks())).not.toContain('"d"');
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveProperty('d');
  });

  it('mints tokens the verifier accepts, with groups, claims and audience', async () => {
    const clock = new ManualClock();
    const dev = await DevIssuer.open({ dir: join(root, 'b'), clock });
    const verifier = createIdentityVerifier({ clock, issuers: [dev.issuerSettings()] });
    const token = await dev.mint({ subject: 'alice', groups: ['dba', 'audit'], claims: { team: 'core' }, ttlMs: 3_600_000 });
    const id = await verifier.verify(token);
    expect(id).toMatchObject({ subject: 'alice', issuer: DEV_ISSUER, groups: ['dba', 'audit'], expiresAt: clock.nowMs() + 3_600_000 });
    expect(id.claims.team).toBe('core');
    clock.advanceMs(3_600_000 + 31_000);
    await expect(verifier.verify(token)).rejects.toThrow(/expired/);
  });

  it('refuses to override issuer-set claims or exceed the maximum lifetime', async () => {
    const dev = await DevIssuer.open({ dir: join(root, 'c'), clock: new ManualClock(), maxTtlMs: 3_600_000 });
    for (const claim of ['iss', 'exp', 'aud', 'sub', 'groups', 'nbf']) {
      await expect(dev.mint({ subject: 'a', ttlMs: 1000, claims: { [claim]: 'x' } })).rejects.toMatchObject({ code: 'TG_ERR_CONFIG' });
    }
    await expect(dev.mint({ subject: 'a', ttlMs: 3_600_001 })).rejects.toMatchObject({ code: 'TG_ERR_CONFIG' });
    await expect(dev.mint({ subject: 'a', ttlMs: 0 })).rejects.toMatchObject({ code: 'TG_ERR_CONFIG' });
    await expect(dev.mint({ subject: '', ttlMs: 1000 })).rejects.toMatchObject({ code: 'TG_ERR_CONFIG' });
  });

  it('tokens from another data directory\'s dev issuer are rejected', async () => {
    const clock = new ManualClock();
    const mine = await DevIssuer.open({ dir: join(root, 'd1'), clock });
    const theirs = await DevIssuer.open({ dir: join(root, 'd2'), clock });
    const verifier = createIdentityVerifier({ clock, issuers: [mine.issuerSettings()] });
    await expect(verifier.verify(await theirs.mint({ subject: 'mallory', ttlMs: 60_000 }))).rejects.toMatchObject({ code: 'TG_ERR_AUTH_TOKEN' });
  });

  it('refuses a key file that others can read', async () => {
    const dir = join(root, 'e');
    await DevIssuer.open({ dir, clock: new ManualClock() });
    await chmod(join(dir, 'signing-key.jwk.json'), 0o644);
    await expect(DevIssuer.open({ dir, clock: new ManualClock() })).rejects.toThrow(/chmod 600/);
  });

  it('refuses a key folder others can write to (they could plant their own key)', async () => {
    const dir = join(root, 'f');
    await mkdir(dir, { mode: 0o700 });
    await chmod(dir, 0o777);
    await expect(DevIssuer.open({ dir, clock: new ManualClock() })).rejects.toThrow(/chmod 700/);
  });

  it('refuses a key file that is a symlink, even to a private key', async () => {
    const real = join(root, 'g-real');
    await DevIssuer.open({ dir: real, clock: new ManualClock() });
    const dir = join(root, 'g');
    await mkdir(dir, { mode: 0o700 });
    await symlink(join(real, 'signing-key.jwk.json'), join(dir, 'signing-key.jwk.json'));
    await expect(DevIssuer.open({ dir, clock: new ManualClock() })).rejects.toThrow(/not a regular file/);
  });

  // Needs root to chown (developers and CI run as root here).
  it('refuses a key file owned by another user (a root gateway can read it anyway)', async () => {
    const dir = join(root, 'h');
    await DevIssuer.open({ dir, clock: new ManualClock() });
    await chown(join(dir, 'signing-key.jwk.json'), 4321, 4321);
    await expect(DevIssuer.open({ dir, clock: new ManualClock() })).rejects.toThrow(/another user/);
  });
});

describe('buildIdentity', () => {
  it('trusts the dev issuer only when the config enables it', async () => {
    const clock = new ManualClock();
    const cfg = parseConfig({ dataDir: join(root, 'cfg') }, {});
    const { verifier, devIssuer } = await buildIdentity(cfg.identity, clock);
    if (devIssuer === undefined) throw new Error('dev issuer should be on for an empty config');
    const token = await devIssuer.mint({ subject: 'bob', ttlMs: 60_000 });
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'bob' });

    const prod = parseConfig(
      { dataDir: join(root, 'cfg'), identity: { issuers: [{ issuer: 'https://idp.example', audience: 'tollgate', algorithms: ['RS256'], jwksUri: 'https://idp.example/jwks' }] } },
      {},
    );
    const off = await buildIdentity(prod.identity, clock);
    expect(off.devIssuer).toBeUndefined();
    await expect(off.verifier.verify(token)).rejects.toThrow(/not a configured issuer/);
  });
});

describe('dev issuer hardening', () => {
  it('reports a corrupt key file clearly', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    const dir = join(root, 'corrupt');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'signing-key.jwk.json'), '{not json', { mode: 0o600 });
    await expect(DevIssuer.open({ dir, clock: new ManualClock() })).rejects.toThrow(/not valid JSON; delete it/);
    await writeFile(join(dir, 'signing-key.jwk.json'), 'null', { mode: 0o600 });
    await expect(DevIssuer.open({ dir, clock: new ManualClock() })).rejects.toThrow(/not a P-256 private key/);
  });

  it('refuses a configured issuer that impersonates the dev issuer name', async () => {
    const cfg = parseConfig(
      { dataDir: join(root, 'imp'), identity: { devIssuer: { enabled: true }, issuers: [{ issuer: DEV_ISSUER, audience: 'tollgate', algorithms: ['ES256'], jwksUri: 'https://x/jwks' }] } },
      {},
    );
    await expect(buildIdentity(cfg.identity, new ManualClock())).rejects.toMatchObject({ code: 'TG_ERR_CONFIG' });
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { loadConfig, parseConfig } from './load.js';

// Attacks on the configuration loader from an adversarial review: files that say one thing to a
// reviewer and another to tollgate, parser tricks, and pins that pin nothing.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-config-adv-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(name: string, text: string): Promise<unknown> {
  const file = join(dir, name);
  await writeFile(file, text);
  return loadConfig(file, {});
}

async function configError(name: string, text: string): Promise<string> {
  const err = await load(name, text).then(() => undefined, (e: unknown) => e);
  if (!isTollgateError(err, 'TG_ERR_CONFIG')) throw new Error(`expected TG_ERR_CONFIG, got ${String(err)}`);
  return err.message;
}

const ROLE = 'roles:\n  r:\n    match: { issuer: tollgate-dev, groups: [dev] }\n';

describe('YAML that could be read differently', () => {
  it('refuses unknown tags instead of reading them as strings', async () => {
    expect(await configError('tag.yaml', 'dataDir: !!js/function "function () { return 1 }"\n')).toMatch(/Unresolved tag/);
    expect(await configError('tag2.yaml', 'dataDir: !<tag:yaml.org,2002:js/regexp> /x/\n')).toMatch(/Unresolved tag/);
  });

  it('refuses a %YAML 1.1 document (merge keys, yes/no booleans)', async () => {
    expect(await configError('v11.yaml', `%YAML 1.1\n---\n${ROLE}`)).toMatch(/YAML 1\.1 is not supported/);
  });

  it('does not merge << keys: a hidden audit: true cannot ride in on an alias', async () => {
    const text = 'x-base: &base { audit: true }\nroles:\n  r:\n    <<: *base\n    match: { issuer: tollgate-dev, groups: [dev] }\n';
    expect(await configError('merge.yaml', text)).toMatch(/<</);
  });

  it('refuses an alias bomb quickly', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']]) lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    expect(await configError('laughs.yaml', `${lines.join('\n')}\n`)).toMatch(/alias|resource/i);
  });

  it('refuses duplicate keys in YAML and in JSON (JSON.parse would keep the last silently)', async () => {
    expect(await configError('dup.yaml', 'dataDir: /a\ndataDir: /b\n')).toMatch(/unique/);
    expect(await configError('dup.json', '{"dataDir": "/a", "dataDir": "/b"}')).toMatch(/unique/);
  });

  it('still reads ordinary JSON', async () => {
    const cfg = (await load('ok.json', '{"dataDir": "/srv/tollgate", "identity": {"clockSkew": "1m"}}')) as { dataDir: string };
    expect(cfg.dataDir).toBe('/srv/tollgate');
  });

  it('reports a __proto__ key from YAML and leaves Object.prototype alone', async () => {
    expect(await configError('proto.yaml', `__proto__: { polluted: true }\n${ROLE}`)).toMatch(/__proto__/);
    expect(await configError('proto2.yaml', `roles:\n  r:\n    match: { issuer: x, groups: [dev], __proto__: { audit: true } }\n`)).toMatch(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('treats constructor and toString as ordinary role names', async () => {
    const cfg = (await load('names.yaml', 'roles:\n  constructor:\n    match: { issuer: tollgate-dev, groups: [dev] }\n  toString:\n    match: { issuer: tollgate-dev, groups: [ops] }\n')) as { roles: Record<string, unknown> };
    expect(Object.keys(cfg.roles).sort()).toEqual(['constructor', 'toString']);
  });
});

describe('clock skew', () => {
  it('is capped at 5 minutes, globally and per issuer (it lengthens every token\'s life)', () => {
    expect(() => parseConfig({ identity: { clockSkew: '30m' } }, {})).toThrow(/at most 5m/);
    const issuer = { issuer: 'https://i', audience: 'a', algorithms: ['ES256'], jwksUri: 'https://i/jwks', clockSkew: '1d' };
    expect(() => parseConfig({ identity: { issuers: [issuer] } }, {})).toThrow(/at most 5m/);
    expect(parseConfig({ identity: { clockSkew: '5m' } }, {}).identity.clockSkew).toBe(300_000);
  });
});

describe('secret references', () => {
  it('never resolves a reference through inherited properties or odd names', () => {
    const cfg = { connections: { db: { protocol: 'postgres', host: 'h', database: 'd', upstream: { user: 'u', password: { env: '__proto__' } } } } };
    expect(() => parseConfig(cfg, {})).toThrow(/__proto__/);
    const odd = { connections: { db: { protocol: 'postgres', host: 'h', database: 'd', upstream: { user: 'u', password: { env: 'A; rm -rf /' } } } } };
    expect(() => parseConfig(odd, { 'A; rm -rf /': 'x' })).toThrow(/secret reference/);
  });
});

describe('GitHub Actions pins that pin nothing', () => {
  const gh = (requiredClaims: Record<string, unknown>) => ({
    identity: { issuers: [{ issuer: 'https://token.actions.githubusercontent.com', audience: 'tollgate', algorithms: ['RS256'], requiredClaims }] },
  });
  it.each([
    { repository_owner: '*' },
    { repository_owner: '**' },
    { repository_owner: 'acme*' },
    { repository_owner: ['acme', '*'] },
    { repository: '*/app' },
    { repository: '**' },
    { enterprise: '*' },
  ])('refuses %j', (claims) => {
    expect(() => parseConfig(gh(claims), {})).toThrow(/GitHub Actions issuer is shared/);
  });

  it.each([{ repository_owner: 'acme' }, { repository: 'acme/*' }, { repository_owner: ['acme', 'acme-labs'] }, { repository_owner_id: 1234 }])('accepts %j', (claims) => {
    expect(parseConfig(gh(claims), {}).identity.issuers).toHaveLength(1);
  });
});

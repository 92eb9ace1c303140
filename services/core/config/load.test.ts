import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { loadConfig, parseConfig } from './load.js';
import { Secret } from './secret.js';

const pg = (extra: Record<string, unknown> = {}) => ({
  protocol: 'postgres', host: 'db', database: 'app', upstream: { user: 'gw', password: { env: 'PG_PASSWORD' } }, ...extra,
});

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (!isTollgateError(err, 'TG_ERR_CONFIG')) throw err;
    return (err.context.problems as { path: string; message: string }[]).map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a TG_ERR_CONFIG error');
}

describe('parseConfig', () => {
  it('turns an empty config into a complete embedded setup under .tollgate', () => {
    const cfg = parseConfig({}, {}, { baseDir: '/srv/tg' });
    expect(cfg.dataDir).toBe('/srv/tg/.tollgate');
    expect(cfg.eventLog.kind).toBe('embedded');
    expect(cfg.eventLog.kind === 'embedded' && cfg.eventLog.dir).toBe('/srv/tg/.tollgate/log');
    expect(cfg.store.kind === 'chdb' && cfg.store.path).toBe('/srv/tg/.tollgate/chdb');
    expect(cfg.identity.devIssuer.enabled).toBe(true);
    expect(cfg.identity.devIssuer.dir).toBe('/srv/tg/.tollgate/dev-issuer');
    expect(cfg.identity.clockSkew).toBe(30_000);
    expect(cfg.limits.maxMessageSize).toBe(16 * 1024 * 1024);
    expect(cfg.listeners.ssh.hostKeyPath).toBe('/srv/tg/.tollgate/ssh_host_ed25519_key');
  });

  it('accepts null (an empty YAML file) like an empty object', () => {
    expect(parseConfig(null, {}).connections).toEqual({});
  });

  it('turns the dev issuer off by default once a real issuer is configured', () => {
    const issuers = [{ issuer: 'https://idp', audience: 'tollgate', algorithms: ['RS256'] }];
    expect(parseConfig({ identity: { issuers } }, {}).identity.devIssuer.enabled).toBe(false);
    expect(parseConfig({ identity: { issuers, devIssuer: { enabled: true } } }, {}).identity.devIssuer.enabled).toBe(true);
  });

  it('reports every problem at once, each with its path', () => {
    const found = problems(() =>
      parseConfig(
        {
          connections: { 'prod-db': pg({ port: 'x' }), other: { protocol: 'ftp' } },
          log: { level: 'loud' },
          roles: { r: { match: { issuer: 'i', groups: ['g'] }, grants: [{ connections: ['prod-db'], guardrails: ['readonly'] }] } },
          surprise: true,
        },
        { PG_PASSWORD: 'pw' },
      ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^connections\.prod-db\.port: expected number/),
        expect.stringMatching(/^connections\.other\.protocol: /),
        expect.stringMatching(/^log\.level: /),
        expect.stringMatching(/^roles\.r\.grants\.0\.guardrails\.0: unknown guardrail profile "readonly"/),
        expect.stringMatching(/^: unknown field "surprise"|^\(root\)/),
      ]),
    );
    expect(found.length).toBeGreaterThanOrEqual(5);
  });

  it('puts all problems into the error message a person reads', () => {
    try {
      parseConfig({ connections: { a: pg({ port: 0 }) }, limits: { idleTimeout: '30' } }, {}, { source: 'tollgate.yaml' });
      expect.fail('should have thrown');
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toContain('tollgate.yaml has 3 problems');
      expect(msg).toContain('connections.a.port');
      expect(msg).toContain('limits.idleTimeout');
      expect(msg).toContain('PG_PASSWORD');
    }
  });
});

describe('secrets', () => {
  it('resolves { env } references and never prints the value', () => {
    const cfg = parseConfig({ connections: { db: pg() } }, { PG_PASSWORD: 'hunter2' });
    const conn = cfg.connections.db;
    if (conn?.protocol !== 'postgres') throw new Error('expected postgres');
    const secret = conn.upstream.password;
    expect(secret).toBeInstanceOf(Secret);
    expect(secret?.reveal()).toBe('hunter2');
    expect(JSON.stringify(cfg)).not.toContain('hunter2');
    expect(inspect(cfg, { depth: 10 })).not.toContain('hunter2');
    expect(String(secret)).toContain('PG_PASSWORD');
  });

  it('names the missing variable', () => {
    expect(problems(() => parseConfig({ connections: { db: pg() } }, {}))).toEqual([
      'connections.db.upstream.password: environment variable PG_PASSWORD is not set (or empty)',
    ]);
  });

  it('treats an empty variable as missing', () => {
    expect(problems(() => parseConfig({ connections: { db: pg() } }, { PG_PASSWORD: '' }))).toHaveLength(1);
  });

  it('rejects inline secrets without echoing them', () => {
    const found = problems(() => parseConfig({ connections: { db: pg({ upstream: { user: 'gw', password: 'hunter2' } }) } }, {}));
    expect(found.join('\n')).toContain('inline secrets are not allowed');
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('does not read inherited properties of the env object as variables', () => {
    const found = problems(() => parseConfig({ connections: { db: pg({ upstream: { user: 'gw', password: { env: 'toString' } } }) } }, {}));
    expect(found[0]).toContain('toString is not set');
  });
});

describe('hostile and malformed input', () => {
  it('rejects "__proto__" keys instead of dropping them silently', () => {
    const raw: unknown = JSON.parse('{"roles": {"__proto__": {"audit": true}}}');
    expect(problems(() => parseConfig(raw, {}))).toEqual(expect.arrayContaining([expect.stringContaining('roles.__proto__')]));
    expect(({} as Record<string, unknown>).audit).toBeUndefined();
  });

  it('rejects names that are not plain identifiers', () => {
    expect(problems(() => parseConfig({ connections: { 'a b': pg(), 'x.y': pg() } }, { PG_PASSWORD: 'p' }))).toHaveLength(2);
  });

  it.each([42, 'string', [1, 2], true])('rejects a non-object root (%j)', (root) => {
    expect(problems(() => parseConfig(root, {})).length).toBeGreaterThan(0);
  });

  it('refuses HS256 and none as issuer algorithms', () => {
    for (const alg of ['HS256', 'none']) {
      const found = problems(() => parseConfig({ identity: { issuers: [{ issuer: 'https://i', audience: 'a', algorithms: [alg] }] } }, {}));
      expect(found[0]).toMatch(/^identity\.issuers\.0\.algorithms\.0: /);
    }
  });

  it('requires an explicit audience and algorithm list for every issuer', () => {
    const found = problems(() => parseConfig({ identity: { issuers: [{ issuer: 'https://i' }] } }, {}));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/audience/), expect.stringMatching(/algorithms/)]));
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tg-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses the documented example with its secrets supplied', async () => {
    const env = { PROD_DB_PASSWORD: 'a', STAGING_DB_PASSWORD: 'b', SOC_WEBHOOK_SECRET: 'c' };
    const cfg = await loadConfig(resolve(import.meta.dirname, '../../../examples/tollgate.example.yaml'), env);
    expect(Object.keys(cfg.connections).sort()).toEqual(['build-host', 'prod-db', 'staging-db']);
    expect(cfg.identity.issuers).toHaveLength(2);
    expect(cfg.roles['deploy-pipeline']?.match.claims?.repository).toBe('acme/*');
    expect(cfg.baseDir).toBe(resolve(import.meta.dirname, '../../../examples'));
  });

  it('resolves relative paths against the file, not the working directory', async () => {
    const file = join(dir, 'tg.yaml');
    await writeFile(file, 'dataDir: state\nlisteners:\n  ssh: { hostKeyPath: keys/host }\n');
    const cfg = await loadConfig(file, {});
    expect(cfg.dataDir).toBe(join(dir, 'state'));
    expect(cfg.listeners.ssh.hostKeyPath).toBe(join(dir, 'keys/host'));
  });

  it('reads JSON by extension', async () => {
    const file = join(dir, 'tg.json');
    await writeFile(file, JSON.stringify({ node: { name: 'gw-json' } }));
    expect((await loadConfig(file, {})).node.name).toBe('gw-json');
  });

  it('reports unreadable and unparsable files as configuration errors', async () => {
    await expect(loadConfig(join(dir, 'missing.yaml'), {})).rejects.toMatchObject({ code: 'TG_ERR_CONFIG' });
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'a: [unclosed\n');
    await expect(loadConfig(bad, {})).rejects.toMatchObject({ code: 'TG_ERR_CONFIG' });
    const dup = join(dir, 'dup.yaml');
    await writeFile(dup, 'dataDir: a\ndataDir: b\n');
    await expect(loadConfig(dup, {})).rejects.toMatchObject({ code: 'TG_ERR_CONFIG' });
  });

  it('lets --data-dir override dataDir and every path derived from it', async () => {
    const file = join(dir, 'tg-override.yaml');
    await writeFile(file, 'dataDir: state\neventLog: { kind: embedded, dir: /var/log/tg }\n');
    const cfg = await loadConfig(file, {}, { dataDir: '/srv/other' });
    expect(cfg.dataDir).toBe('/srv/other');
    expect(cfg.identity.devIssuer.dir).toBe('/srv/other/dev-issuer');
    expect(cfg.store.kind === 'chdb' && cfg.store.path).toBe('/srv/other/chdb');
    expect(cfg.eventLog.kind === 'embedded' && cfg.eventLog.dir).toBe('/var/log/tg');
  });

  it('uses built-in defaults when no file is given', async () => {
    expect((await loadConfig(undefined, {})).eventLog.kind).toBe('embedded');
  });

  it('defaults the embedded log linger to 5 ms and bounds it at 1 s', () => {
    const linger = (eventLog: unknown) => {
      const l = parseConfig({ eventLog }, {}).eventLog;
      return l.kind === 'embedded' ? l.linger : undefined;
    };
    expect(linger({ kind: 'embedded' })).toBe(5);
    expect(linger({ kind: 'embedded', linger: 0 })).toBe(0);
    expect(linger({ kind: 'embedded', linger: '20ms' })).toBe(20);
    expect(problems(() => parseConfig({ eventLog: { kind: 'embedded', linger: '2s' } }, {}))[0]).toMatch(/^eventLog\.linger: expected at most 1s/);
  });
});

describe('issuer safety checks', () => {
  const gh = (extra: Record<string, unknown>) => ({ identity: { issuers: [{ issuer: 'https://token.actions.githubusercontent.com', audience: 'tollgate', algorithms: ['RS256'], ...extra }] } });

  it('requires the GitHub Actions issuer to be pinned to an owner, repository or enterprise', () => {
    expect(problems(() => parseConfig(gh({}), {}))[0]).toMatch(/^identity\.issuers\.0\.requiredClaims: the GitHub Actions issuer is shared/);
    expect(problems(() => parseConfig(gh({ requiredClaims: { workflow: 'deploy' } }), {}))).toHaveLength(1);
    expect(parseConfig(gh({ requiredClaims: { repository_owner: 'acme' } }), {}).identity.issuers[0]?.requiredClaims).toEqual({ repository_owner: 'acme' });
  });

  it('refuses private or symmetric keys in an inline JWKS', () => {
    const issuer = (key: Record<string, unknown>) => ({ identity: { issuers: [{ issuer: 'https://i', audience: 'a', algorithms: ['ES256'], jwks: { keys: [key] } }] } });
    expect(problems(() => parseConfig(issuer({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' }), {}))[0]).toMatch(/private members/);
    expect(problems(() => parseConfig(issuer({ kty: 'oct', k: 'c2VjcmV0' }), {})).join('\n')).toMatch(/symmetric/);
    expect(parseConfig(issuer({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }), {}).identity.issuers).toHaveLength(1);
  });

  it('needs a URL issuer for discovery', () => {
    expect(problems(() => parseConfig({ identity: { issuers: [{ issuer: 'corp-idp', audience: 'a', algorithms: ['RS256'] }] } }, {}))[0]).toMatch(/^identity\.issuers\.0\.issuer: OIDC discovery needs/);
    expect(parseConfig({ identity: { issuers: [{ issuer: 'corp-idp', audience: 'a', algorithms: ['RS256'], jwksUri: 'https://corp/jwks' }] } }, {}).identity.issuers).toHaveLength(1);
  });

  it('refuses both jwksUri and jwks on one issuer, and the same issuer twice', () => {
    const one = { issuer: 'https://i', audience: 'a', algorithms: ['ES256'] };
    expect(problems(() => parseConfig({ identity: { issuers: [{ ...one, jwksUri: 'https://i/jwks', jwks: { keys: [{ kty: 'EC' }] } }] } }, {}))[0]).toMatch(/either jwksUri or jwks/);
    expect(problems(() => parseConfig({ identity: { issuers: [one, one] } }, {}))[0]).toMatch(/configured twice/);
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { binaryQuery, pgClient, psql } from './testing/clients.js';
import { useHarness, type Harness } from './testing/harness.js';

let h: Harness;
useHarness((started) => (h = started));

describe('connecting through the gateway', () => {
  it('psql connects with a token as password and runs a query upstream (SCRAM upstream login)', async () => {
    const r = await psql(h.port, 'app', await h.token('alice', ['dev']), 'SELECT current_user, current_database()');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('app|shop');
  });

  it('logs in upstream with md5 and with trust', async () => {
    const token = await h.token('alice', ['dev']);
    expect((await psql(h.port, 'legacy', token, 'SELECT current_user')).stdout.trim()).toBe('legacy');
    expect((await psql(h.port, 'trusty', token, 'SELECT current_user')).stdout.trim()).toBe('trusty');
  });

  it('refuses a malformed token, naming the reason but not echoing the token', async () => {
    const bad = 'not-a-jwt-secret-material';
    const r = await psql(h.port, 'app', bad, 'SELECT 1');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/identity token rejected/);
    expect(r.stderr).not.toContain(bad);
  });

  it('refuses an expired token', async () => {
    // The harness trusts the dev issuer with no clock skew, so a token is refused once exp passes.
    const token = await h.token('alice', ['dev'], 1000);
    await new Promise((r) => setTimeout(r, 2100));
    const r = await psql(h.port, 'app', token, 'SELECT 1');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/identity token rejected.*exp/i);
  });

  it('denies a connection the identity has no grant for (default deny) with SQLSTATE 28000', async () => {
    const client = pgClient(h.port, 'legacy', await h.token('carol', ['analyst']));
    await expect(client).rejects.toMatchObject({ code: '28000' });
    await expect(client).rejects.toThrow(/access to connection "legacy" denied/);
  });

  it('denies an unknown connection', async () => {
    const client = pgClient(h.port, 'nope', await h.token('alice', ['dev']));
    await expect(client).rejects.toMatchObject({ code: '28000' });
  });

  it('node-postgres runs simple, extended and binary-result queries', async () => {
    const c = await pgClient(h.port, 'app', await h.token('alice', ['dev']));
    try {
      expect((await c.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect((await c.query('SELECT $1::int + 1 AS n', [41])).rows).toEqual([{ n: 42 }]);
      const bin = await binaryQuery(c, 'SELECT id, name FROM customers WHERE id = $1', [1]);
      expect(bin[0]?.['name']).toBe('Alice');
    } finally {
      await c.end();
    }
  });

  it('pgbench initialises (DDL, COPY FROM STDIN, VACUUM) and runs in every query mode through the gateway', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, PGPASSWORD: await h.token('bench', ['dev']) };
    const conn = ['-h', '127.0.0.1', '-p', String(h.port), '-U', 'bench'];
    await run('/usr/bin/pgbench', [...conn, '-i', '-s', '1', '-q', 'app'], { env, timeout: 60_000 });
    for (const mode of ['simple', 'extended', 'prepared']) {
      const { stdout } = await run('/usr/bin/pgbench', [...conn, '-c', '2', '-t', '50', '-M', mode, 'app'], { env, timeout: 60_000 });
      expect(stdout).toMatch(/number of transactions actually processed: 100\/100/);
      expect(stdout).toMatch(/number of failed transactions: 0/);
    }
  }, 90_000);
});

import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgClient, psql } from './testing/clients.js';
import { startHarness, type Harness } from './testing/harness.js';

let h: Harness;
let certs: string;

/** A CA and a server certificate for 127.0.0.1 signed by it. */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.pem');
  if (process.getuid?.() === 0) {
    // The upstream PostgreSQL runs as postgres and insists its key is private to it.
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    for (const f of ['server.pem', 'server.key', 'ca.pem']) chownSync(join(dir, f), uid, gid);
    chownSync(dir, uid, gid);
  }
}

beforeAll(async () => {
  certs = mkdtempSync(join(tmpdir(), 'tollgate-pgw-certs-'));
  makeCertificates(certs);
  h = await startHarness({
    listenerTls: { certPath: join(certs, 'server.pem'), keyPath: join(certs, 'server.key'), mode: 'required' },
    pgSettings: { ssl: 'on', ssl_cert_file: join(certs, 'server.pem'), ssl_key_file: join(certs, 'server.key') },
    connections: (port) => ({
      secure: {
        protocol: 'postgres', host: '127.0.0.1', port, database: 'shop',
        upstream: { user: 'app', password: { env: 'PW_APP' }, tls: { mode: 'verify-full', caPath: join(certs, 'ca.pem') } },
      },
      impostor: {
        protocol: 'postgres', host: '127.0.0.1', port, database: 'shop',
        upstream: { user: 'app', password: { env: 'PW_APP' }, tls: { mode: 'verify-full', caPath: join(certs, 'ca.pem'), serverName: 'db.example.com' } },
      },
    }),
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  rmSync(certs, { recursive: true, force: true });
});

describe('TLS', () => {
  it('refuses plaintext clients with a clear error when TLS is required', async () => {
    const r = await psql(h.port, 'app', await h.token('tia', ['dev']), 'SELECT 1');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/requires TLS on this listener/);
  });

  it('psql with sslmode=verify-full and the CA connects', async () => {
    const r = await psql(h.port, 'app', await h.token('tia', ['dev']), 'SELECT 5', { conninfo: `sslmode=verify-full sslrootcert=${join(certs, 'ca.pem')}` });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('5');
  });

  it('node-postgres verifies the gateway certificate against the CA', async () => {
    const c = await pgClient(h.port, 'app', await h.token('tia', ['dev']), { ca: readFileSync(join(certs, 'ca.pem')), rejectUnauthorized: true });
    try {
      expect((await c.query('SELECT 6 AS n')).rows).toEqual([{ n: 6 }]);
    } finally {
      await c.end();
    }
  });

  it('connects upstream over TLS with verify-full', async () => {
    const r = await psql(h.port, 'secure', await h.token('tia', ['dev']), 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()', { conninfo: `sslmode=verify-full sslrootcert=${join(certs, 'ca.pem')}` });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('t');
  });

  it('refuses an upstream whose certificate does not name the expected server (verify-full)', async () => {
    const r = await psql(h.port, 'impostor', await h.token('tia', ['dev']), 'SELECT 1', { conninfo: `sslmode=verify-full sslrootcert=${join(certs, 'ca.pem')}` });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot open connection "impostor".*TLS handshake failed/);
  });
});

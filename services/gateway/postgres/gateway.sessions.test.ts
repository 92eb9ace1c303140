import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { writeCancelRequest } from './protocol/frontend-startup.js';
import { Writer } from './protocol/index.js';
import { pgClient, psql, rawSocket } from './testing/clients.js';
import { useHarness, type Harness } from './testing/harness.js';
import { RawSession, summary } from './testing/raw-session.js';

let h: Harness;
useHarness((started) => (h = started));

const dev = () => h.token('dana', ['dev']);

function sendCancel(port: number, processId: number, secretKey: number): Promise<void> {
  const key = Buffer.alloc(4);
  key.writeInt32BE(secretKey);
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.end(writeCancelRequest(new Writer(16), processId, key).finish()));
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

describe('sessions', () => {
  it('cancels a running statement through the gateway with gateway-issued keys, never the upstream ones', async () => {
    const c = await pgClient(h.port, 'app', await dev());
    try {
      const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
      const upstreamPid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      expect(processID).not.toBe(upstreamPid);
      const sleeping = c.query('SELECT pg_sleep(30)');
      let settled = false;
      sleeping.then(() => (settled = true), () => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      await sendCancel(h.port, processID, secretKey ^ 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await sendCancel(h.port, processID, secretKey);
      await expect(sleeping).rejects.toMatchObject({ code: '57014' });
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('psql can cancel with Ctrl-C (SIGINT) through the gateway', async () => {
    const token = await dev();
    const child = spawn('/usr/bin/psql', [`host=127.0.0.1 port=${h.port} dbname=app user=x sslmode=disable`, '-X', '-c', 'SELECT pg_sleep(20)'], {
      env: { ...process.env, PGPASSWORD: token },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise((r) => setTimeout(r, 800));
    child.kill('SIGINT');
    await exited;
    expect(stderr).toMatch(/canceling statement due to user request/);
  });

  it('a garbage frame ends only that session, with a clear error; another session keeps working', async () => {
    const good = await pgClient(h.port, 'app', await dev());
    const bad = await RawSession.login(h.port, 'app', await dev());
    try {
      bad.socket.write(Buffer.from('\x01\x02garbage that is no PostgreSQL message'));
      const got = await bad.until(() => false, 3000).catch(() => []);
      const err = got.find((m) => m.kind === 'ErrorResponse');
      expect(err?.kind === 'ErrorResponse' && err.fields.get('C')).toBe('08P01');
      expect(err?.kind === 'ErrorResponse' && err.fields.get('M')).toMatch(/invalid message from client: .*unknown.*0x01/i);
      expect(bad.closed).toBe(true);
      expect((await good.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await good.end();
    }
  });

  it('an oversized frame is refused from its header, ending only that session', async () => {
    const bad = await RawSession.login(h.port, 'app', await dev());
    const header = Buffer.alloc(5);
    header[0] = 0x51;
    header.writeInt32BE(512 * 1024 * 1024, 1);
    bad.socket.write(header);
    const got = await bad.until(() => false, 3000).catch(() => []);
    expect(summary(got)).toContain('Error:08P01');
    expect(bad.closed).toBe(true);
    const r = await psql(h.port, 'app', await dev(), 'SELECT 3');
    expect(r.stdout.trim()).toBe('3');
  });

  it('garbage and truncated packets before authentication close the connection', async () => {
    const raw = await rawSocket(h.port);
    raw.socket.write(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
    await raw.closed;
    const truncated = await rawSocket(h.port);
    truncated.socket.end(Buffer.from([0, 0, 0, 80, 0, 3, 0]));
    await truncated.closed;
    expect(h.gateway.sessionCount).toBeLessThanOrEqual(1);
  });

  it('answers GSSENCRequest with N and then serves the session in plaintext', async () => {
    const r = await psql(h.port, 'app', await dev(), 'SELECT 4', { conninfo: 'sslmode=disable gssencmode=prefer' });
    expect(r.stdout.trim()).toBe('4');
  });

  it('offers TLS with a development certificate: sslmode=require works', async () => {
    const r = await psql(h.port, 'app', await dev(), 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()', { conninfo: 'sslmode=require' });
    // The upstream hop is plaintext here (upstream.tls.mode: disable); the client hop is TLS.
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('f');
  });
});

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { writeCancelRequest } from './protocol/frontend-startup.js';
import { Writer } from './protocol/index.js';
import { pgClient, psql } from './testing/clients.js';
import { useHarness, type Harness } from './testing/harness.js';
import { RawSession, summary } from './testing/raw-session.js';

let h: Harness;
useHarness((started) => (h = started));

describe('attempts to get around the gateway', () => {
  it('the client cannot choose the upstream user or database', async () => {
    const r = await psql(h.port, 'app', await h.token('x', ['dev']), 'SELECT current_user, current_database()', { conninfo: 'sslmode=disable user=postgres' });
    expect(r.stdout.trim()).toBe('app|shop');
  });

  it('a guarded role cannot change the settings the guardrail parser depends on', async () => {
    const c = await pgClient(h.port, 'app', await h.token('w', ['writer']));
    try {
      await expect(c.query("SET client_encoding = 'SJIS'")).rejects.toMatchObject({ code: '42501', message: expect.stringContaining('parser-divergence') as unknown });
      await expect(c.query('SET standard_conforming_strings = off')).rejects.toMatchObject({ code: '42501' });
      expect((await c.query('SHOW standard_conforming_strings')).rows).toEqual([{ standard_conforming_strings: 'on' }]);
    } finally {
      await c.end();
    }
  });

  it('after a blocked Parse of the unnamed statement, a Bind runs what the server still holds (the earlier, allowed text)', async () => {
    const s = await RawSession.login(h.port, 'app', await h.token('w', ['writer']));
    try {
      s.send([{ kind: 'Parse', statement: '', query: "SELECT 'harmless' AS v", parameterTypes: [] }, { kind: 'Sync' }]);
      expect(summary(await s.readyFor())).toEqual(['ParseComplete', 'Ready:I']);
      s.send([
        { kind: 'Parse', statement: '', query: 'DROP TABLE customers', parameterTypes: [] },
        { kind: 'Bind', portal: '', statement: '', parameterFormats: [], parameters: [], resultFormats: [] },
        { kind: 'Execute', portal: '', maxRows: 0 },
        { kind: 'Sync' },
      ]);
      expect(summary(await s.readyFor())).toEqual(['Error:42501', 'Ready:I']);
      s.send([
        { kind: 'Bind', portal: '', statement: '', parameterFormats: [], parameters: [], resultFormats: [] },
        { kind: 'Execute', portal: '', maxRows: 0 },
        { kind: 'Sync' },
      ]);
      const got = await s.readyFor();
      expect(summary(got)).toEqual(['BindComplete', 'DataRow', 'CommandComplete', 'Ready:I']);
      const row = got.find((m) => m.kind === 'DataRow');
      expect(row?.kind === 'DataRow' && row.values[0]?.toString()).toBe('harmless');
    } finally {
      s.close();
    }
    expect(h.pg.psql("SELECT count(*) FROM pg_class WHERE relname = 'customers'", 'shop').trim()).toBe('1');
  });

  it('masking follows rows fetched through a cursor and through EXECUTE of a prepared statement', async () => {
    const token = await h.token('ann', ['analyst']);
    const r = await psql(h.port, 'app', token, '', {
      args: ['-c', 'BEGIN; DECLARE cur CURSOR FOR SELECT email FROM customers ORDER BY id; FETCH ALL cur; COMMIT', '-c', 'PREPARE p AS SELECT email FROM customers WHERE id = 2', '-c', 'EXECUTE p'],
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('@');
    expect(r.stdout.trim().split('\n')).toEqual(['****', '****', '****']);
  });

  it('masking cannot be bypassed by asking for binary COPY', async () => {
    const r = await psql(h.port, 'app', await h.token('ann', ['analyst']), 'COPY customers TO STDOUT (FORMAT binary)');
    expect(r.stdout).not.toContain('alice');
    expect(r.stderr).toMatch(/binary COPY output cannot be masked/);
  });

  it('a cancel key of one session cannot cancel another session', async () => {
    const a = await pgClient(h.port, 'app', await h.token('x', ['dev']));
    const b = await pgClient(h.port, 'app', await h.token('y', ['dev']));
    try {
      const keyA = a as unknown as { processID: number; secretKey: number };
      const keyB = b as unknown as { processID: number; secretKey: number };
      expect(keyA.processID).not.toBe(keyB.processID);
      const sleeping = b.query('SELECT pg_sleep(1) AS done');
      const secret = Buffer.alloc(4);
      secret.writeInt32BE(keyA.secretKey);
      await new Promise<void>((resolve) => {
        const sock = connect({ host: '127.0.0.1', port: h.port }, () => sock.end(writeCancelRequest(new Writer(16), keyB.processID, secret).finish()));
        sock.on('close', () => resolve());
      });
      expect((await sleeping).rows).toEqual([{ done: '' }]);
    } finally {
      await a.end();
      await b.end();
    }
  });
});

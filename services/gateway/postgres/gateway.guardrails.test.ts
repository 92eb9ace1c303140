import { describe, expect, it } from 'vitest';
import { pgClient, psql } from './testing/clients.js';
import { useHarness, type Harness } from './testing/harness.js';
import { RawSession, summary } from './testing/raw-session.js';

let h: Harness;
useHarness((started) => (h = started));

const writer = () => h.token('wendy', ['writer']);

describe('guardrails in flight', () => {
  it('blocks a simple Query with the rule named and SQLSTATE 42501; the session stays usable', async () => {
    const c = await pgClient(h.port, 'app', await writer());
    try {
      await expect(c.query('CREATE TABLE evil (i int)')).rejects.toMatchObject({ code: '42501', message: expect.stringContaining('no-ddl/ddl') as unknown });
      expect((await c.query('SELECT count(*)::int AS n FROM customers')).rows).toEqual([{ n: 2 }]);
    } finally {
      await c.end();
    }
    expect(h.pg.psql("SELECT count(*) FROM pg_class WHERE relname = 'evil'", 'shop').trim()).toBe('0');
  });

  it('blocks a multi-statement Query whole: the allowed part does not run either', async () => {
    const r = await psql(h.port, 'app', await writer(), "INSERT INTO customers VALUES (9, 'Mallory', 'm@example.net', null, null); DROP TABLE customers");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no-ddl\/ddl/);
    expect(h.pg.psql('SELECT count(*) FROM customers WHERE id = 9', 'shop').trim()).toBe('0');
  });

  it('blocks in the extended protocol and answers Sync with ReadyForQuery, like a server error', async () => {
    const c = await pgClient(h.port, 'app', await writer());
    try {
      await expect(c.query('DELETE FROM customers WHERE $1::int IS NULL OR true', [1])).rejects.toMatchObject({ code: '42501' });
      expect((await c.query('SELECT $1::text AS v', ['still here'])).rows).toEqual([{ v: 'still here' }]);
    } finally {
      await c.end();
    }
  });

  it('a block inside a transaction block aborts it, as a server error would', async () => {
    const c = await pgClient(h.port, 'app', await writer());
    try {
      await c.query('BEGIN');
      await expect(c.query('TRUNCATE customers')).rejects.toMatchObject({ code: '42501' });
      await expect(c.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await c.query('ROLLBACK');
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('pipelined extended messages: results before the block arrive first, messages after it are skipped until Sync', async () => {
    const s = await RawSession.login(h.port, 'app', await writer());
    try {
      s.send([
        { kind: 'Parse', statement: '', query: 'SELECT 1', parameterTypes: [] },
        { kind: 'Bind', portal: '', statement: '', parameterFormats: [], parameters: [], resultFormats: [] },
        { kind: 'Execute', portal: '', maxRows: 0 },
        { kind: 'Parse', statement: 's2', query: 'DROP TABLE customers', parameterTypes: [] },
        { kind: 'Bind', portal: '', statement: 's2', parameterFormats: [], parameters: [], resultFormats: [] },
        { kind: 'Execute', portal: '', maxRows: 0 },
        { kind: 'Sync' },
        { kind: 'Parse', statement: '', query: 'SELECT 2', parameterTypes: [] },
        { kind: 'Bind', portal: '', statement: '', parameterFormats: [], parameters: [], resultFormats: [] },
        { kind: 'Execute', portal: '', maxRows: 0 },
        { kind: 'Sync' },
      ]);
      const got = summary(await s.readyFor(2));
      expect(got).toEqual(['ParseComplete', 'BindComplete', 'DataRow', 'CommandComplete', 'Error:42501', 'Ready:I', 'ParseComplete', 'BindComplete', 'DataRow', 'CommandComplete', 'Ready:I']);
    } finally {
      s.close();
    }
  });

  it('judges PREPARE/EXECUTE: a blocked PREPARE is not remembered, an allowed one executes', async () => {
    const c = await pgClient(h.port, 'app', await writer());
    try {
      await expect(c.query('PREPARE wipe AS DELETE FROM customers')).rejects.toMatchObject({ code: '42501' });
      await expect(c.query('EXECUTE wipe')).rejects.toMatchObject({ code: '42501' });
      await c.query('PREPARE one AS SELECT 1 AS x');
      expect((await c.query('EXECUTE one')).rows).toEqual([{ x: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('judges COPY: COPY TO STDOUT runs for a reader, COPY FROM STDIN is blocked for read-only', async () => {
    const out = await psql(h.port, 'app', await writer(), 'COPY (SELECT id FROM customers ORDER BY id) TO STDOUT');
    expect(out.stdout.trim().split('\n')).toEqual(['1', '2']);
    const blocked = await psql(h.port, 'app', await h.token('ann', ['analyst']), 'COPY customers FROM STDIN');
    expect(blocked.stderr).toMatch(/read-only\/write/);
  });

  it('blocks a FunctionCall message of an OID that is not allowlisted; the session stays usable', async () => {
    const s = await RawSession.login(h.port, 'app', await writer());
    try {
      s.send([{ kind: 'FunctionCall', functionOid: 1299, argumentFormats: [], arguments: [], resultFormat: 0 }]);
      expect(summary(await s.readyFor())).toEqual(['Error:42501', 'Ready:I']);
      s.send([{ kind: 'Query', sql: 'SELECT 1' }]);
      expect(summary(await s.readyFor())).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'Ready:I']);
    } finally {
      s.close();
    }
  });

  it('observe mode lets the statement run and records the verdict', async () => {
    const c = await pgClient(h.port, 'app', await h.token('olga', ['watcher']));
    try {
      await c.query('CREATE TABLE observed_table (i int)');
    } finally {
      await c.end();
    }
    expect(h.pg.psql("SELECT count(*) FROM pg_class WHERE relname = 'observed_table'", 'shop').trim()).toBe('1');
    const frames = await h.frames();
    const observed = frames.find((f) => f.eventType === 'policy.observe');
    expect(observed?.body).toMatchObject({ kind: 'Decision', action: 'OBSERVE', rule: 'no-ddl/ddl' });
  });

  it('opens read-only grants upstream with default_transaction_read_only=on and pins the tokenizer settings', async () => {
    const r = await psql(h.port, 'app', await h.token('ann', ['analyst']), 'SHOW default_transaction_read_only; SHOW standard_conforming_strings; SHOW client_encoding', { args: ['-c', 'SHOW default_transaction_read_only', '-c', 'SHOW standard_conforming_strings', '-c', 'SHOW client_encoding'] });
    expect(r.stdout.trim().split('\n')).toEqual(['on', 'on', 'UTF8']);
  });

  it('refuses startup options and non-UTF8 client encodings', async () => {
    const token = await writer();
    const withOptions = await psql(h.port, 'app', token, 'SELECT 1', { conninfo: "sslmode=disable options='-c standard_conforming_strings=off'" });
    expect(withOptions.stderr).toMatch(/startup parameter "options" refused/);
    const sjis = await psql(h.port, 'app', token, 'SELECT 1', { conninfo: 'sslmode=disable client_encoding=SJIS' });
    expect(sjis.stderr).toMatch(/client_encoding "SJIS" is not supported/);
  });
});

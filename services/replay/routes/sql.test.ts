import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplayHarness, type ReplayHarness } from '../testing/harness.js';
import { XSS, seedDatabaseSession } from '../testing/seed.js';

let h: ReplayHarness;
beforeAll(async () => {
  h = await openReplayHarness({ sqlLimits: { maxResultRows: 100, maxExecutionSeconds: 5 } });
  await seedDatabaseSession(h.store, 'db-sql', Date.now() * 1000 - 1_000_000);
});
afterAll(() => h.close());

const sql = (text: string, token = h.auditorToken) =>
  h.app.inject({ method: 'POST', url: '/api/sql', headers: { authorization: `Bearer ${token}` }, payload: { sql: text } });

describe('read-only SQL endpoint', () => {
  it('runs a SELECT and returns columns and rows, data verbatim', async () => {
    const res = await sql("SELECT seq, statement FROM queries WHERE session_id = 'db-sql' ORDER BY seq");
    expect(res.statusCode).toBe(200);
    const body = res.json<{ columns: string[]; rows: unknown[][]; rowCount: number }>();
    expect(body.columns).toEqual(['seq', 'statement']);
    expect(body.rowCount).toBe(3);
    expect(body.rows[2]?.[1]).toBe(`SELECT '${XSS}'`);
  });

  it('records the SQL text as the read', async () => {
    await sql('SELECT 42 AS answer');
    expect(h.audit.reads.at(-1)).toMatchObject({ route: 'POST /api/sql', detail: 'SELECT 42 AS answer' });
  });

  it('refuses writes, settings changes, multi-statements and file access with 400 and a clear message', async () => {
    const attempts = [
      "INSERT INTO alerts (alert_id) VALUES ('x')",
      'ALTER TABLE frames DELETE WHERE 1',
      'SET readonly = 0',
      'SELECT 1; DROP TABLE frames',
      'SELECT 1 SETTINGS readonly=0',
      'SELECT * FROM frames SETTINGS readonly = 0, max_result_rows = 0',
      'DROP TABLE sessions',
      'TRUNCATE TABLE alerts',
      'OPTIMIZE TABLE frames',
      "SELECT * FROM file('/etc/passwd')",
      "SELECT 1 INTO OUTFILE '/tmp/x'",
      'KILL QUERY WHERE 1',
      'CREATE TABLE t (a Int8) ENGINE = Memory',
      'SYSTEM DROP DNS CACHE',
    ];
    for (const text of attempts) {
      const res = await sql(text);
      expect(res.statusCode, text).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message.length, text).toBeGreaterThan(10);
    }
    expect((await sql('SELECT count() AS n FROM alerts')).json<{ rows: unknown[][] }>().rows[0]?.[0]).toBe('0');
    expect((await sql("SELECT count() AS n FROM frames WHERE session_id = 'db-sql'")).json<{ rows: unknown[][] }>().rows[0]?.[0]).toBe('9');
  });

  it('enforces the result row limit in the engine', async () => {
    const res = await sql('SELECT number FROM system.numbers LIMIT 1000');
    expect(res.statusCode).toBe(400);
  });

  it('refuses bad bodies and non-auditors', async () => {
    expect((await h.app.inject({ method: 'POST', url: '/api/sql', headers: { authorization: `Bearer ${h.auditorToken}` }, payload: { sql: '' } })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'POST', url: '/api/sql', headers: { authorization: `Bearer ${h.auditorToken}` }, payload: { query: 'SELECT 1' } })).statusCode).toBe(400);
    expect((await h.app.inject({ method: 'POST', url: '/api/sql', headers: { authorization: `Bearer ${h.auditorToken}`, 'content-type': 'application/json' }, payload: '{"sql":' })).statusCode).toBe(400);
    expect((await sql('SELECT 1', h.agentToken)).statusCode).toBe(403);
    expect((await sql('x'.repeat(300_000))).statusCode).toBe(413);
  });
});

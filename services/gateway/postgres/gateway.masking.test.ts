import { describe, expect, it } from 'vitest';
import { binaryQuery, pgClient, psql } from './testing/clients.js';
import { useHarness, type Harness } from './testing/harness.js';
import { RawSession, summary } from './testing/raw-session.js';

let h: Harness;
useHarness((started) => (h = started));

const analyst = () => h.token('ann', ['analyst']);
const SECRET_EMAIL = 'alice@example.com';
const SECRET_CARD = '4111 1111 1111 1111';

describe('inline masking', () => {
  it('masks a column rule and a detector in text results (psql, simple protocol)', async () => {
    const r = await psql(h.port, 'app', await analyst(), 'SELECT id, name, email, card, note FROM customers ORDER BY id');
    expect(r.stderr).toBe('');
    const [alice, bob] = r.stdout.trim().split('\n');
    expect(alice).toBe('1|Alice|****|**** **** **** 1111|vip');
    expect(bob).toBe('2|Bob|****|**** **** **** 0004|card ************1881 on file');
  });

  it('follows the real column through an alias, and applies detectors to expressions', async () => {
    const c = await pgClient(h.port, 'app', await analyst());
    try {
      const aliased = await c.query('SELECT email AS contact FROM customers WHERE id = $1', [1]);
      expect(aliased.rows).toEqual([{ contact: '****' }]);
      const expr = await c.query("SELECT card || '' AS c FROM customers WHERE id = 1");
      expect(expr.rows).toEqual([{ c: '**** **** **** 1111' }]);
    } finally {
      await c.end();
    }
  });

  it('withholds masked values in binary-format results (SQL NULL) and leaves other columns intact', async () => {
    const c = await pgClient(h.port, 'app', await analyst());
    try {
      const rows = await binaryQuery(c, 'SELECT id, name, email, card FROM customers WHERE id = $1', [1]);
      expect(rows).toEqual([{ id: 1, name: 'Alice', email: null, card: null }]);
    } finally {
      await c.end();
    }
  });

  it('masks COPY TO STDOUT of a table, of a column list, and withholds COPY (query) it cannot attribute', async () => {
    const token = await analyst();
    const whole = await psql(h.port, 'app', token, 'COPY customers TO STDOUT');
    expect(whole.stdout.split('\n')[0]).toBe('1\tAlice\t****\t**** **** **** 1111\tvip');
    const cols = await psql(h.port, 'app', token, 'COPY customers (id, email) TO STDOUT');
    expect(cols.stdout.trim().split('\n')).toEqual(['1\t****', '2\t****']);
    const query = await psql(h.port, 'app', token, 'COPY (SELECT email FROM customers) TO STDOUT');
    expect(query.stdout).not.toContain('@');
    expect(query.stderr).toMatch(/COPY output withheld by masking/);
  });

  it('refuses a FunctionCall to a grant that masks: query_to_xml would return the table unmasked', async () => {
    const oid = Number(h.pg.psql("SELECT 'query_to_xml(text,boolean,boolean,text)'::regprocedure::oid", 'shop').trim());
    const s = await RawSession.login(h.port, 'app', await h.token('mo', ['masked']));
    try {
      const args = ['SELECT email, card FROM customers', 'true', 'false', ''].map((a) => Buffer.from(a));
      s.send([{ kind: 'FunctionCall', functionOid: oid, argumentFormats: [0], arguments: args, resultFormat: 0 }]);
      const answer = await s.readyFor();
      expect(summary(answer)).toEqual(['Error:42501', 'Ready:I']);
      const text = answer.map((m) => m.raw.toString('latin1')).join('');
      expect(text).toMatch(/masking\/function-call/);
      expect(text).not.toContain(SECRET_EMAIL);
      s.send([{ kind: 'Query', sql: 'SELECT email FROM customers WHERE id = 1' }]);
      const after = await s.readyFor();
      expect(summary(after)).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'Ready:I']);
    } finally {
      s.close();
    }
    const frames = await h.frames();
    const withheld = frames.find((f) => f.body.kind === 'Decision' && f.body.rule === 'masking/function-call');
    expect(withheld?.body).toMatchObject({ action: 'WITHHOLD', refSeq: expect.any(Number) as number });
    const session = frames.filter((f) => f.sessionId === withheld?.sessionId);
    expect(session.some((f) => f.body.kind === 'Wire' && Buffer.from(f.body.payload).toString('latin1').includes(SECRET_EMAIL))).toBe(false);
  });

  it('masks values quoted in error DETAIL and MESSAGE', async () => {
    const c = await pgClient(h.port, 'app', await h.token('mo', ['masked']));
    try {
      const dup = c.query(`INSERT INTO customers (id, email) VALUES (7, '${SECRET_EMAIL}')`);
      await expect(dup).rejects.toMatchObject({ code: '23505', detail: 'Key (email)=(****) already exists.' });
      const card = c.query("SELECT '4111111111111111'::int");
      await expect(card).rejects.toThrow(/\*{12}1111/);
      await expect(c.query("SELECT '4111111111111111'::int")).rejects.not.toThrow(/4111111111111111/);
    } finally {
      await c.end();
    }
  });

  it('records masked rows masked (maskedInline), a mask decision, and never the unmasked values', async () => {
    const c = await pgClient(h.port, 'app', await analyst());
    try {
      await c.query('SELECT email, card FROM customers');
    } finally {
      await c.end();
    }
    // Query texts are recorded as sent (ingest masks their literals); other subjects typed the email.
    const all = await h.frames();
    const annSessions = new Set(all.filter((f) => f.body.kind === 'SessionStart' && f.body.identity.subject === 'ann').map((f) => f.sessionId));
    const frames = all.filter((f) => annSessions.has(f.sessionId));
    const wire = frames.flatMap((f) => (f.body.kind === 'Wire' ? [{ f, text: f.body.payload.toString('latin1') }] : []));
    expect(wire.some(({ text }) => text.includes(SECRET_EMAIL))).toBe(false);
    expect(wire.some(({ text }) => text.includes(SECRET_CARD))).toBe(false);
    const maskedRows = frames.filter((f) => f.eventType === 'db.row' && f.body.kind === 'Wire' && f.body.maskedInline);
    expect(maskedRows.length).toBeGreaterThan(0);
    expect(maskedRows.every((f) => f.direction === 'GATEWAY_TO_CLIENT')).toBe(true);
    const decision = frames.find((f) => f.eventType === 'mask.applied');
    expect(decision?.body).toMatchObject({ kind: 'Decision', action: 'MASK' });
  });

  it('forwards rows untouched for a grant without masking', async () => {
    const r = await psql(h.port, 'app', await h.token('dev', ['dev']), 'SELECT email FROM customers WHERE id = 1');
    expect(r.stdout.trim()).toBe(SECRET_EMAIL);
  });
});

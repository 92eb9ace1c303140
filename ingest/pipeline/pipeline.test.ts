import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureRecorder } from '../testing/fixtures.js';
import { feed, openTestStore, testPipeline, type Harness } from '../testing/harness.js';

let h: Harness;
let rec: FixtureRecorder;
const start = Date.now() - 3_600_000;

beforeAll(async () => {
  h = await openTestStore('pipeline');
  rec = await FixtureRecorder.create(start);
  const pg = rec.start('pg-1', 'POSTGRES', { subject: 'alice@example.com', connection: 'staging-db' });
  pg.query('SELECT id, email FROM users WHERE id = 1', { columns: ['id', 'email'], rows: [['1', 'bob@example.org']] });
  pg.query("UPDATE users SET note = 'card 4111 1111 1111 1111' WHERE id = 2", { tag: 'UPDATE 1' });
  pg.query('SELECT * FROM missing', { error: 'relation "missing" does not exist' });
  pg.query('DROP TABLE users', { block: 'no-ddl' });
  pg.extended('SELECT * FROM orders WHERE customer = $1', ['carol@example.net'], { columns: ['id'], rows: [['7'], ['8']] });
  pg.end();
  const ssh = rec.start('ssh-1', 'SSH', { subject: 'bob@example.com', connection: 'build-host' });
  ssh.sshExec(0, 'uname -a', 'Linux build 6.1\n', 0);
  ssh.sshExec(1, 'false', '', 1);
  ssh.sshShell(2);
  ssh.print(2, '$ ');
  ssh.type(2, 'l', 's', ' -l', '\r');
  ssh.print(2, 'total 0\r\n$ ');
  ssh.type(2, 'echo hi\x7f\x7fo\r');
  ssh.end();
  const k8s = rec.start('k8s-1', 'KUBERNETES', { subject: 'carol@example.com', connection: 'staging-k8s' });
  k8s.k8s(1, 'GET', '/api/v1/namespaces/default/pods', 200);
  k8s.k8s(2, 'DELETE', '/api/v1/namespaces/default/pods/x', 403);
  await feed(testPipeline(h.store, rec.codec), rec.records, 7);
});
afterAll(() => h.close());

describe('projections from recorded sessions', () => {
  it('derives one query row per statement with outcome, rows, error and guardrail decision', async () => {
    const rows = await h.store.query<Record<string, unknown>>('SELECT * FROM queries FINAL WHERE session_id = {s:String} ORDER BY seq', { s: 'pg-1' });
    expect(rows.map((r) => r['outcome'])).toEqual(['ok', 'ok', 'error', 'blocked', 'ok']);
    expect(rows.map((r) => Number(r['rows']))).toEqual([1, 1, 0, 0, 2]);
    expect(rows[0]!['statement']).toBe('SELECT id, email FROM users WHERE id = 1');
    expect(rows[0]!['subject']).toBe('alice@example.com');
    expect(rows[0]!['connection']).toBe('staging-db');
    expect(String(rows[0]!['fingerprint'])).toMatch(/^[0-9a-f]{16}$/);
    expect(Number(rows[0]!['duration_us'])).toBeGreaterThan(0);
    expect(rows[1]!['statement']).not.toContain('4111 1111 1111 1111');
    expect(rows[2]!['error']).toBe('relation "missing" does not exist');
    expect(rows[3]!['guardrail_action']).toBe('BLOCK');
    expect(rows[3]!['guardrail_rule']).toBe('no-ddl');
    expect(rows[4]!['statement']).toBe('SELECT * FROM orders WHERE customer = $1');
  });

  it('stores frames masked: DataRow values, SQL literals, Bind parameters', async () => {
    const rows = await h.store.query<{ p: string }>("SELECT toString(payload) AS p FROM frames WHERE session_id = 'pg-1' ORDER BY seq");
    const all = rows.map((r) => r.p).join('\n');
    expect(all).not.toContain('bob@example.org');
    expect(all).not.toContain('carol@example.net');
    expect(all).not.toContain('4111 1111 1111 1111');
    expect(all).toContain('****@****');
  });

  it('derives the session row: identity, target, counters, outcome', async () => {
    const [s] = await h.store.query<Record<string, unknown>>("SELECT * FROM sessions FINAL WHERE session_id = 'pg-1'");
    expect(s).toMatchObject({ subject: 'alice@example.com', issuer: 'https://issuer.test', connection: 'staging-db', protocol: 'POSTGRES', target_host: '10.0.0.5', target_port: 5432, target_database: 'app', target_user: 'svc', client_address: '192.0.2.10', gateway_node: 'gw-1', grant: 'dev-grant', outcome: 'closed', end_reason: 'client closed', error: '', recording_policy: 'STRICT' });
    expect(s!['groups']).toEqual(['eng']);
    expect(Number(s!['queries'])).toBe(5);
    expect(Number(s!['blocked'])).toBe(1);
    const [{ n }] = (await h.store.query<{ n: string }>("SELECT count() AS n FROM frames WHERE session_id = 'pg-1'")) as [{ n: string }];
    expect(Number(s!['frames'])).toBe(Number(n));
    expect(Number(s!['version'])).toBe(Number(n) - 1);
    expect(Number(s!['bytes_from_client'])).toBeGreaterThan(0);
    expect(Number(s!['bytes_to_client'])).toBeGreaterThan(0);
    expect(s!['ended_at']).not.toBeNull();
  });

  it('derives SSH exec and shell command lines with exit status', async () => {
    const rows = await h.store.query<Record<string, unknown>>("SELECT * FROM commands FINAL WHERE session_id = 'ssh-1' ORDER BY seq");
    expect(rows.map((r) => [r['kind'], r['command'], r['exit_status'], r['outcome']])).toEqual([
      ['exec', 'uname -a', 0, 'ok'],
      ['exec', 'false', 1, 'failed'],
      ['shell', 'ls -l', null, 'ok'],
      ['shell', 'echo o', null, 'ok'],
    ]);
    expect(rows[0]).toMatchObject({ subject: 'bob@example.com', connection: 'build-host', protocol: 'SSH' });
  });

  it('derives Kubernetes requests with status', async () => {
    const rows = await h.store.query<Record<string, unknown>>("SELECT * FROM commands FINAL WHERE session_id = 'k8s-1' ORDER BY seq");
    expect(rows.map((r) => [r['kind'], r['command'], r['exit_status'], r['outcome']])).toEqual([
      ['k8s', 'GET /api/v1/namespaces/default/pods', 200, 'ok'],
      ['k8s', 'DELETE /api/v1/namespaces/default/pods/x', 403, 'failed'],
    ]);
    const [s] = await h.store.query<Record<string, unknown>>("SELECT outcome, ended_at FROM sessions FINAL WHERE session_id = 'k8s-1'");
    expect(s).toEqual({ outcome: 'active', ended_at: null });
  });
});

describe('frames the projection cannot read', () => {
  it('are stored (withheld) and skipped, and the session goes on', async () => {
    const r = await FixtureRecorder.create(start, rec.codec);
    const s = r.start('bad-pg', 'POSTGRES');
    s.wire('CLIENT_TO_GATEWAY', 'db.query', 'Query', Buffer.from('Q\x00\x00\x00\x09broken'));
    s.wire('UPSTREAM_TO_GATEWAY', 'db.complete', 'CommandComplete', Buffer.from('C\x00\x00\x00\x04'));
    s.wire('UPSTREAM_TO_GATEWAY', 'db.error', 'ErrorResponse', Buffer.from('E\x00\x00\x00\x10'));
    s.query('SELECT 1', { columns: ['x'], rows: [['1']] });
    s.end();
    await feed(testPipeline(h.store, rec.codec), r.records, 3, 50_000);
    const rows = await h.store.query<{ statement: string; outcome: string }>("SELECT statement, outcome FROM queries FINAL WHERE session_id = 'bad-pg'");
    expect(rows).toEqual([{ statement: 'SELECT 1', outcome: 'ok' }]);
    const [sess] = await h.store.query<{ outcome: string; frames: string }>("SELECT outcome, frames FROM sessions FINAL WHERE session_id = 'bad-pg'");
    expect(sess).toEqual({ outcome: 'closed', frames: String(r.records.length) });
  });
});

describe('frames the recorder delivered twice', () => {
  // Regression: a late append after a sink timeout, or a spool replayed after a crash, puts the same
  // (session, seq) on the log again at new offsets; offset-derived dedup tokens cannot see that.
  it('are stored once, and the session counts them once', async () => {
    const r = await FixtureRecorder.create(start, rec.codec);
    const s = r.start('twice-pg', 'POSTGRES');
    s.query('SELECT 1', { columns: ['x'], rows: [['1']] });
    s.end();
    const middle = Math.floor(r.records.length / 2);
    const again = r.records.slice(1, middle + 1);
    const delivered = [...r.records.slice(0, middle + 1), ...again, ...r.records.slice(middle + 1)];
    await feed(testPipeline(h.store, rec.codec), delivered, 3, 80_000);
    const [stored] = await h.store.query<{ n: string; distinct: string }>(
      "SELECT count() AS n, uniqExact(seq) AS distinct FROM frames WHERE session_id = 'twice-pg'",
    );
    expect(stored).toEqual({ n: String(r.records.length), distinct: String(r.records.length) });
    const [sess] = await h.store.query<{ frames: string }>("SELECT frames FROM sessions FINAL WHERE session_id = 'twice-pg'");
    expect(sess?.frames).toBe(String(r.records.length));
    const queries = await h.store.query<{ statement: string }>("SELECT statement FROM queries FINAL WHERE session_id = 'twice-pg'");
    expect(queries).toEqual([{ statement: 'SELECT 1' }]);
  });
});

describe('frames delivered twice after their session left memory', () => {
  // Regression: the check above only sees sessions in memory. A repeat arriving after its session
  // ended (evicted) or after a restart was stored a second time, and its partial refold rewrote the
  // statement's query row.
  async function recordEnded(id: string): Promise<FixtureRecorder['records']> {
    const r = await FixtureRecorder.create(start, rec.codec);
    const s = r.start(id, 'POSTGRES');
    s.query('SELECT 1', { columns: ['x'], rows: [['1']] });
    s.query('SELECT 2', { columns: ['y'], rows: [['2'], ['3']] });
    s.end();
    return r.records;
  }

  async function expectStoredOnce(id: string, frames: number): Promise<void> {
    const [stored] = await h.store.query<{ n: string; distinct: string }>(
      'SELECT count() AS n, uniqExact(seq) AS distinct FROM frames WHERE session_id = {id:String}', { id },
    );
    expect(stored).toEqual({ n: String(frames), distinct: String(frames) });
    const [sess] = await h.store.query<{ frames: string; outcome: string }>('SELECT frames, outcome FROM sessions FINAL WHERE session_id = {id:String}', { id });
    expect(sess).toEqual({ frames: String(frames), outcome: 'closed' });
    const queries = await h.store.query<{ statement: string; rows: string; outcome: string }>(
      'SELECT statement, rows, outcome FROM queries FINAL WHERE session_id = {id:String} ORDER BY seq', { id },
    );
    expect(queries).toEqual([{ statement: 'SELECT 1', rows: '1', outcome: 'ok' }, { statement: 'SELECT 2', rows: '2', outcome: 'ok' }]);
  }

  it('are dropped by the mark the worker kept when it evicted the ended session', async () => {
    const records = await recordEnded('evicted-pg');
    const pipeline = testPipeline(h.store, rec.codec);
    await feed(pipeline, records, records.length, 90_000);
    expect(pipeline.projector.sessions.has('evicted-pg')).toBe(false);
    expect(pipeline.evicted.get('evicted-pg')).toBe(records.length - 1);
    await feed(pipeline, records.slice(1, 6), 10, 90_100);
    await expectStoredOnce('evicted-pg', records.length);
  });

  it('are caught through the stored frames by a worker that never saw the session', async () => {
    const records = await recordEnded('restarted-pg');
    await feed(testPipeline(h.store, rec.codec), records, records.length, 91_000);
    await feed(testPipeline(h.store, rec.codec), records.slice(1, 6), 10, 91_100);
    await expectStoredOnce('restarted-pg', records.length);
  });
});

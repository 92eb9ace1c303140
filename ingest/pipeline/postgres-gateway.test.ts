import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../services/core/events/types.js';
import { pgClient, psql } from '../../services/gateway/postgres/testing/clients.js';
import { startHarness, type Harness as GatewayHarness } from '../../services/gateway/postgres/testing/harness.js';
import { feed, openTestStore, testPipeline, type Harness } from '../testing/harness.js';

// Sessions recorded by the real PostgreSQL gateway in front of a real PostgreSQL, then ingested.
let gw: GatewayHarness;
let h: Harness;
let frames: Frame[] = [];

const until = async (cond: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
};

beforeAll(async () => {
  gw = await startHarness();
  h = await openTestStore('pg-gateway');
  expect((await psql(gw.port, 'app', await gw.token('rita', ['dev']), 'SELECT id, email, card FROM customers ORDER BY id')).stdout).toContain('alice@example.com');
  const will = await pgClient(gw.port, 'app', await gw.token('will', ['writer']));
  await expect(will.query('DROP TABLE customers')).rejects.toMatchObject({ code: '42501' });
  // A named statement goes through Parse/Bind/Execute: the gateway answers it with a Describe probe.
  await expect(will.query({ name: 'drop-it', text: 'DROP TABLE orders' })).rejects.toMatchObject({ code: '42501' });
  await will.query('SELECT name FROM customers WHERE id = $1', [2]);
  await will.end();
  const mia = await pgClient(gw.port, 'app', await gw.token('mia', ['masked']));
  await mia.query('SELECT email, card FROM customers');
  await mia.end();
  await until(() => gw.gateway.sessionCount === 0);
  frames = await gw.frames();
  await feed(testPipeline(h.store, gw.codec), frames.map((f) => ({ key: f.sessionId, value: gw.codec.encodeFrame(f) })), 50);
}, 90_000);
afterAll(async () => {
  await gw?.close();
  await h?.close();
});

const sessionOf = async (subject: string) => (await h.store.query<Record<string, unknown>>('SELECT * FROM sessions FINAL WHERE subject = {s:String}', { s: subject }))[0]!;

describe('sessions recorded by the PostgreSQL gateway', () => {
  it('stores every frame, with customer data masked at rest', async () => {
    const [{ n }] = (await h.store.query<{ n: string }>('SELECT count() AS n FROM frames')) as [{ n: string }];
    expect(Number(n)).toBe(frames.length);
    const all = (await h.store.query<{ p: string }>('SELECT toString(payload) AS p FROM frames')).map((r) => r.p).join('\n');
    for (const secret of ['alice@example.com', 'bob@example.org', '4111 1111 1111 1111', '5500 0000 0000 0004', '4012888888881881']) expect(all).not.toContain(secret);
  });

  it('derives the simple-protocol query of psql with its rows', async () => {
    const rita = await sessionOf('rita');
    expect(rita).toMatchObject({ connection: 'app', protocol: 'POSTGRES', target_database: 'shop', target_user: 'app', outcome: 'closed' });
    const rows = await h.store.query<Record<string, unknown>>("SELECT * FROM queries FINAL WHERE session_id = {s:String} AND statement LIKE '%customers%'", { s: rita['session_id'] });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ statement: 'SELECT id, email, card FROM customers ORDER BY id', outcome: 'ok', subject: 'rita' });
    expect(Number(rows[0]!['rows'])).toBe(2);
    expect(String(rows[0]!['fingerprint'])).not.toBe('');
  });

  it('derives the blocked DROP and the extended-protocol statement of node-postgres', async () => {
    const will = await sessionOf('will');
    expect(Number(will['blocked'])).toBe(2);
    const rows = await h.store.query<Record<string, unknown>>('SELECT statement, outcome, error, guardrail_action, guardrail_rule, rows FROM queries FINAL WHERE session_id = {s:String} ORDER BY seq', { s: will['session_id'] });
    const drop = rows.find((r) => r['statement'] === 'DROP TABLE customers');
    expect(drop).toMatchObject({ outcome: 'blocked', guardrail_action: 'BLOCK', guardrail_rule: 'no-ddl/ddl' });
    expect(String(drop!['error'])).not.toContain('tollgate_blocked_');
    expect(String(drop!['error'])).not.toBe('');
    const extended = rows.find((r) => r['statement'] === 'DROP TABLE orders');
    expect(extended).toMatchObject({ outcome: 'blocked', guardrail_action: 'BLOCK', guardrail_rule: 'no-ddl/ddl' });
    const select = rows.find((r) => String(r['statement']).startsWith('SELECT name FROM customers'));
    expect(select).toMatchObject({ outcome: 'ok' });
    expect(Number(select!['rows'])).toBe(1);
  });

  it('keeps the rows the gateway masked inline as recorded, and the statement row lists the masking', async () => {
    const mia = await sessionOf('mia');
    const rows = await h.store.query<Record<string, unknown>>("SELECT masking, outcome FROM queries FINAL WHERE session_id = {s:String} AND statement LIKE 'SELECT email%'", { s: mia['session_id'] });
    expect(rows[0]).toMatchObject({ outcome: 'ok' });
    const inline = await h.store.query<{ n: string }>("SELECT count() AS n FROM frames WHERE session_id = {s:String} AND masked_inline", { s: mia['session_id'] });
    expect(Number(inline[0]!.n)).toBeGreaterThan(0);
    // The gateway's summary names the masked columns (regression: `masking` came back empty).
    const masking = rows[0]!['masking'] as string[];
    expect(masking.some((m) => m.includes('email'))).toBe(true);
    expect(masking.some((m) => m.includes('card'))).toBe(true);
  });

  it('never shows the gateway probe of a blocked statement as a query of its own', async () => {
    const probeFrames = await h.store.query<{ n: string }>("SELECT count() AS n FROM frames WHERE direction = 'GATEWAY_TO_UPSTREAM' AND position(toString(payload), 'tollgate_blocked_') > 0");
    expect(Number(probeFrames[0]!.n)).toBeGreaterThanOrEqual(2);
    const rows = await h.store.query<{ statement: string }>("SELECT statement FROM queries FINAL WHERE position(statement, 'tollgate_blocked_') > 0 OR position(error, 'tollgate_blocked_') > 0");
    expect(rows).toEqual([]);
  });
});

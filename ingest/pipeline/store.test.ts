import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topics } from '../../services/core/log/port.js';
import { encodeFrontendMessage } from '../../services/gateway/postgres/protocol/index.js';
import { webhookHandler } from '../alerts/dispatcher.js';
import { reproject } from '../projection/reproject.js';
import { backtest } from '../rules/backtest.js';
import { parseRuleFile } from '../rules/load.js';
import { compileRule } from '../rules/engine.js';
import { actualTables } from '../testing/expected.js';
import { FixtureRecorder } from '../testing/fixtures.js';
import { asLogRecords, feed, openTestStore, restartedPipeline, testPipeline, type Harness } from '../testing/harness.js';
import { recordWorkload } from '../testing/workload.js';

let h: Harness;
let rec: FixtureRecorder;

beforeAll(async () => {
  h = await openTestStore('store');
  rec = await FixtureRecorder.create(Date.now() - 7_200_000);
  recordWorkload(rec, 30, { rowsPerQuery: 4 });
  const open = rec.start('open-1', 'POSTGRES', { connection: 'prod-db' });
  open.query('DROP TABLE accounts', { tag: 'DROP TABLE' });
  open.wire('CLIENT_TO_GATEWAY', 'db.query', 'Query', encodeFrontendMessage({ kind: 'Query', sql: 'SELECT pg_sleep(10)' }));
  await feed(testPipeline(h.store, rec.codec), rec.records, 23);
});
afterAll(() => h.close());

const count = async (sql: string): Promise<number> => Number((await h.store.query<{ n: string }>(sql))[0]!.n);

describe('ingest against chDB', () => {
  it('a redelivered batch (same records) inserts nothing new in any table', async () => {
    const before = await count('SELECT count() AS n FROM frames');
    const rawBefore = await Promise.all(['queries', 'commands', 'sessions', 'alerts'].map((t) => count(`SELECT count() AS n FROM ${t}`)));
    // A fresh pipeline (a restarted worker) gets the last batch again.
    const all = asLogRecords(rec.records);
    const lastStart = Math.floor((all.length - 1) / 23) * 23;
    await (await restartedPipeline(h.store, rec.codec)).handle({ topic: Topics.frames, partition: 0, records: all.slice(lastStart) });
    expect(await count('SELECT count() AS n FROM frames')).toBe(before);
    const rawAfter = await Promise.all(['queries', 'commands', 'sessions', 'alerts'].map((t) => count(`SELECT count() AS n FROM ${t}`)));
    expect(rawAfter).toEqual(rawBefore);
  });

  it('a batch redelivered with another shape (fewer and more records) stores no frame twice', async () => {
    // Redelivery starts at the committed offset: the last batch comes back split in two.
    const all = asLogRecords(rec.records);
    const lastStart = Math.floor((all.length - 1) / 23) * 23;
    const restarted = await restartedPipeline(h.store, rec.codec);
    const mid = lastStart + Math.floor((all.length - lastStart) / 2);
    await restarted.handle({ topic: Topics.frames, partition: 0, records: all.slice(lastStart, mid) });
    await restarted.handle({ topic: Topics.frames, partition: 0, records: all.slice(mid) });
    const dup = await h.store.query('SELECT session_id, seq FROM frames GROUP BY session_id, seq HAVING count() > 1');
    expect(dup).toEqual([]);
    expect(await count('SELECT count() AS n FROM frames')).toBe(rec.records.length);
  });

  it('reproject rebuilds sessions, queries and commands equal to the live rows', async () => {
    const live = await actualTables(h.store);
    expect(live.queries.length).toBeGreaterThan(10);
    const report = await reproject(h.store, { truncate: true });
    expect(await count('SELECT count() AS n FROM sessions FINAL')).toBe(report.sessions);
    const again = await actualTables(h.store);
    expect(again.sessions).toEqual(live.sessions);
    expect(again.queries).toEqual(live.queries);
    expect(again.commands).toEqual(live.commands);
    expect(report.frames).toBe(rec.records.length);
  });

  it('keeps an unfinished query visible as running, and finished ones final', async () => {
    const rows = await h.store.query<{ outcome: string; statement: string }>("SELECT outcome, statement FROM queries FINAL WHERE session_id = 'open-1' ORDER BY seq");
    expect(rows).toEqual([{ outcome: 'ok', statement: 'DROP TABLE accounts' }, { outcome: 'running', statement: 'SELECT pg_sleep(10)' }]);
  });

  it('stores alerts with deterministic ids and counts them on the session row', async () => {
    const alerts = await h.store.query<{ alert_id: string; rule_id: string; session_id: string; seq: string }>('SELECT alert_id, rule_id, session_id, seq FROM alerts FINAL');
    expect(alerts.some((a) => a.rule_id === 'tg.db.destructive-production' && a.session_id === 'open-1')).toBe(true);
    for (const a of alerts) expect(a.alert_id).toBe(`${a.rule_id}/${a.session_id}/${a.seq}`);
    const [s] = await h.store.query<{ alerts: string }>("SELECT alerts FROM sessions FINAL WHERE session_id = 'open-1'");
    expect(Number(s!.alerts)).toBe(alerts.filter((a) => a.session_id === 'open-1').length);
  });

  it('backtests a rule over stored history without writing alerts', async () => {
    const before = await count('SELECT count() AS n FROM alerts');
    const rule = compileRule(parseRuleFile('id: team.customers-read\ntitle: customers read\nseverity: low\non: query\nwhen: { statement: { imatches: "from customers" } }\n', 'r.yaml')[0]!, 'r.yaml');
    const report = await backtest(h.store, [rule], (Date.now() - 86_400_000) * 1000);
    const expected = await count("SELECT count() AS n FROM queries FINAL WHERE positionCaseInsensitive(statement, 'from customers') > 0");
    expect(report.alerts).toHaveLength(expected);
    expect(report.alerts.every((a) => a.alertId.startsWith('team.customers-read/'))).toBe(true);
    expect(await count('SELECT count() AS n FROM alerts')).toBe(before);
    const none = await backtest(h.store, [rule], (Date.now() + 86_400_000) * 1000);
    expect(none.alerts).toEqual([]);
  });

  it('turns poison records into dead letters with the reason, and goes on', async () => {
    const good = await FixtureRecorder.create(Date.now() - 60_000, rec.codec);
    good.start('after-poison', 'SSH').sshExec(0, 'uptime');
    const records = [
      { key: 'x', value: Buffer.from('not avro at all') },
      { key: 'x', value: Buffer.from([0, 0, 0, 0x7f, 0xff, 1, 2]) },
      { key: 'x', value: good.records[0]!.value.subarray(0, 12) },
      ...good.records,
    ];
    await feed(testPipeline(h.store, rec.codec), records, 100, 100_000);
    const dead = await h.store.query<{ log_offset: string; reason: string }>('SELECT log_offset, reason FROM dead_letters FINAL WHERE log_offset >= 100000 ORDER BY log_offset');
    expect(dead.map((d) => Number(d.log_offset))).toEqual([100_000, 100_001, 100_002]);
    expect(dead[0]!.reason).toMatch(/magic byte/);
    expect(dead[1]!.reason).toMatch(/schema id/);
    expect(dead[2]!.reason).toMatch(/truncated|corrupt/);
    expect(await count("SELECT count() AS n FROM commands FINAL WHERE session_id = 'after-poison'")).toBe(1);
  });
});

describe('webhook dispatcher', () => {
  let server: Server;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      req.resume();
      res.statusCode = 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('writes a dead-letter row naming the receiver when it stays down', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const alert = { alertId: 'tg.x/s/1', ruleId: 'tg.x', severity: 'CRITICAL' as const, title: 't', subject: 'a', sessionId: 's', seq: 1, tsMicros: Date.now() * 1000, detailsJson: '{}' };
    const handler = webhookHandler({
      codec: rec.codec,
      store: h.store,
      targets: [{ name: 'soc', url, minSeverity: 'low', timeoutMs: 1000, format: 'tollgate', maxAttempts: 3, baseDelayMs: 1 }],
      io: { fetch: globalThis.fetch, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), nowMs: () => Date.now() },
    });
    await handler({ topic: Topics.alerts, partition: 0, records: [{ topic: Topics.alerts, partition: 0, offset: 7, key: 's', value: rec.codec.encodeAlert(alert), timestampMs: 0 }] });
    expect(hits).toBe(3);
    const [dead] = await h.store.query<{ reason: string; topic: string }>("SELECT reason, topic FROM dead_letters FINAL WHERE topic = 'tollgate.alerts.v1' AND log_offset = 7");
    expect(dead!.reason).toBe('webhook soc failed after 3 attempt(s): HTTP 503');
  });
});

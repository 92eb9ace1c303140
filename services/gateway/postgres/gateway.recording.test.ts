import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../core/events/types.js';
import { pgClient, psql } from './testing/clients.js';
import { startHarness, type Harness } from './testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const bySession = (frames: Frame[]) => {
  const m = new Map<string, Frame[]>();
  for (const f of frames) m.set(f.sessionId, [...(m.get(f.sessionId) ?? []), f]);
  return m;
};

const until = async (cond: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
};

describe('recording', () => {
  it('records every frame of a session in order, from session.start to session.end, without the token', async () => {
    const token = await h.token('rita', ['dev']);
    const r = await psql(h.port, 'app', token, 'SELECT 41 + 1');
    expect(r.stdout.trim()).toBe('42');
    await until(() => h.gateway.sessionCount === 0);
    const sessions = bySession(await h.frames());
    const frames = [...sessions.values()].find((fs) => fs[0]?.body.kind === 'SessionStart' && fs[0].body.identity.subject === 'rita');
    expect(frames).toBeDefined();
    const list = frames ?? [];
    expect(list.map((f) => f.seq)).toEqual(list.map((_, i) => i));
    expect(list[0]?.eventType).toBe('session.start');
    expect(list.at(-1)?.eventType).toBe('session.end');
    expect(list[0]?.body).toMatchObject({ kind: 'SessionStart', target: { connection: 'app', database: 'shop', user: 'app' }, recordingPolicy: 'STRICT' });
    const types = list.map((f) => `${f.direction}:${f.eventType}:${f.messageType}`);
    expect(types).toContain('CLIENT_TO_GATEWAY:db.startup:StartupMessage');
    expect(types).toContain('CLIENT_TO_GATEWAY:db.frame:PasswordMessage');
    expect(types).toContain('GATEWAY_TO_UPSTREAM:db.startup:StartupMessage');
    expect(types).toContain('CLIENT_TO_GATEWAY:db.query:Query');
    expect(types).toContain('UPSTREAM_TO_GATEWAY:db.row:DataRow');
    expect(types).toContain('UPSTREAM_TO_GATEWAY:db.complete:CommandComplete');
    const query = list.find((f) => f.eventType === 'db.query');
    expect(query?.body.kind === 'Wire' && query.body.payload.toString('utf8')).toContain('SELECT 41 + 1');
    const everything = list.map((f) => JSON.stringify(f.body, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v))).join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain('app-secret');
    const end = list.at(-1)?.body;
    expect(end).toMatchObject({ kind: 'SessionEnd', frames: list.length });
    expect(end?.kind === 'SessionEnd' && end.bytesFromClient).toBeGreaterThan(0);
  });

  it('records a block as a Decision frame pointing at the message it judged', async () => {
    const c = await pgClient(h.port, 'app', await h.token('will', ['writer']));
    try {
      await expect(c.query('DROP TABLE customers')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await c.end();
    }
    const frames = await h.frames();
    const block = frames.find((f) => f.eventType === 'policy.block');
    expect(block?.body).toMatchObject({ kind: 'Decision', action: 'BLOCK', rule: 'no-ddl/ddl' });
    const ref = block?.body.kind === 'Decision' ? block.body.refSeq : null;
    const judged = frames.find((f) => f.sessionId === block?.sessionId && f.seq === ref);
    expect(judged?.eventType).toBe('db.query');
  });

  it('records a refused login as auth.fail', async () => {
    await psql(h.port, 'legacy', await h.token('eve', ['analyst']), 'SELECT 1');
    const frames = await h.frames();
    const fail = frames.find((f) => f.eventType === 'auth.fail' && f.body.kind === 'Decision' && f.body.subject === 'eve');
    expect(fail?.body).toMatchObject({ action: 'AUTH_FAIL', details: { connection: 'legacy', sqlstate: '28000' } });
  });

  it('ends strict sessions when the log goes down, refuses new ones, and admits them again once it is back', async () => {
    const token = await h.token('sam', ['dev']);
    const c = await pgClient(h.port, 'app', token);
    h.log.up = false;
    // The sink learns the log is down from its next append; the running session is then ended.
    const err = await c.query('SELECT pg_sleep(2)').then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/recording is unavailable \(event log degraded\)/);
    await expect(pgClient(h.port, 'app', token)).rejects.toMatchObject({ code: '57P03' });
    await expect(pgClient(h.port, 'relaxed', token)).rejects.toMatchObject({ code: '57P03' });
    h.log.up = true;
    await until(() => h.sink.state === 'healthy');
    const again = await pgClient(h.port, 'app', token);
    expect((await again.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    await again.end();
  });
});

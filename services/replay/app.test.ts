import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XSS, seedDatabaseSession, seedTerminalSession, type SeededTerminal } from './testing/seed.js';
import { openReplayHarness, type ReplayHarness } from './testing/harness.js';
import { CONTENT_SECURITY_POLICY } from './app.js';

let h: ReplayHarness;
let term: SeededTerminal;
const now = Date.now() * 1000;
const auth = () => ({ authorization: `Bearer ${h.auditorToken}` });

beforeAll(async () => {
  h = await openReplayHarness();
  term = await seedTerminalSession(h.store, 'ssh-1', now - 3_600_000_000);
  await seedDatabaseSession(h.store, 'db-1', now - 1_800_000_000);
  await seedDatabaseSession(h.store, 'db-2', now - 600_000_000, XSS);
});
afterAll(() => h.close());

const get = (url: string, headers: Record<string, string> = auth()) => h.app.inject({ method: 'GET', url, headers });

describe('authentication and authorisation', () => {
  const protectedUrls = ['/api/sessions', '/api/sessions/ssh-1', '/api/sessions/ssh-1/frames', '/api/sessions/ssh-1/cast', '/api/sessions/ssh-1/recording', '/api/sessions/ssh-1/recording/segment?fromSeq=0&start=0&duration=1', '/api/sessions/db-1/queries', '/api/alerts'];

  it('refuses requests without a token, with a bad token or a non-bearer scheme (401)', async () => {
    const bad = [{}, { authorization: 'Bearer not.a.jwt' }, { authorization: `Basic ${h.auditorToken}` }, { authorization: `Bearer ${h.auditorToken}x` }, { authorization: 'Bearer ' + 'a'.repeat(20_000) }];
    for (const url of protectedUrls) {
      for (const headers of bad) {
        const res = await get(url, headers);
        expect(res.statusCode, `${url} ${JSON.stringify(headers).slice(0, 40)}`).toBe(401);
        expect(res.json<{ error: { code: string } }>().error.code).toBe('TG_ERR_AUTH_TOKEN');
      }
    }
    const sql = await h.app.inject({ method: 'POST', url: '/api/sql', payload: { sql: 'SELECT 1' } });
    expect(sql.statusCode).toBe(401);
  });

  it('refuses a token from an unknown issuer key (forged with another dev key)', async () => {
    const { DevIssuer } = await import('../core/identity/index.js');
    const { systemClock } = await import('../core/clock.js');
    const { mkdtemp } = await import('node:fs/promises');
    const other = await DevIssuer.open({ dir: await mkdtemp('/tmp/tg-other-'), clock: systemClock });
    const forged = await other.mint({ subject: 'mallory', groups: ['auditors'], ttlMs: 60_000 });
    expect((await get('/api/sessions', { authorization: `Bearer ${forged}` })).statusCode).toBe(401);
  });

  it('refuses identities whose roles do not grant audit (403) with a clear message', async () => {
    for (const url of protectedUrls) {
      const res = await get(url, { authorization: `Bearer ${h.agentToken}` });
      expect(res.statusCode).toBe(403);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(/agent-7 .* may not read recordings/);
    }
  });

  it('records every read before answering, and refuses the read when the trail cannot take it (503)', async () => {
    const before = h.audit.reads.length;
    expect((await get('/api/sessions/ssh-1/cast')).statusCode).toBe(200);
    const read = h.audit.reads[before];
    expect(read).toMatchObject({ sessionId: 'ssh-1', route: 'GET /api/sessions/:id/cast' });
    expect(read?.identity.subject).toBe('carol-auditor');
    h.audit.fail = true;
    try {
      const res = await get('/api/sessions/ssh-1/cast');
      expect(res.statusCode).toBe(503);
      expect(res.body).not.toContain('Welcome');
    } finally {
      h.audit.fail = false;
    }
  });
});

describe('session search and detail', () => {
  type Page = { sessions: Array<{ id: string; subject: string; protocol: string }>; nextCursor: string | null };

  it('lists newest first and pages with a cursor', async () => {
    const first = (await get('/api/sessions?limit=2')).json<Page>();
    expect(first.sessions.map((s) => s.id)).toEqual(['db-2', 'db-1']);
    expect(first.nextCursor).not.toBeNull();
    const second = (await get(`/api/sessions?limit=2&cursor=${first.nextCursor ?? ''}`)).json<Page>();
    expect(second.sessions.map((s) => s.id)).toEqual(['ssh-1']);
    expect(second.nextCursor).toBeNull();
  });

  it('filters by identity, protocol, connection, time, text and alerts', async () => {
    const ids = async (qs: string) => (await get(`/api/sessions?${qs}`)).json<Page>().sessions.map((s) => s.id);
    expect(await ids('subject=bob')).toEqual(['ssh-1']);
    expect(await ids('protocol=postgres')).toEqual(['db-2', 'db-1']);
    expect(await ids('connection=demo-ssh')).toEqual(['ssh-1']);
    expect(await ids(`from=${new Date((now - 1_000_000_000) / 1000).toISOString()}`)).toEqual(['db-2']);
    expect(await ids(`to=${Math.round((now - 1_000_000_000) / 1000)}`)).toEqual(['db-1', 'ssh-1']);
    expect(await ids('text=drop%20table')).toEqual(['db-2', 'db-1']);
    expect(await ids('text=rm%20-rf')).toEqual(['ssh-1']);
    expect(await ids('hasAlerts=true')).toEqual(['ssh-1']);
  });

  it('rejects bad filters with 400', async () => {
    for (const qs of ['limit=0', 'limit=abc', 'protocol=ftp', 'from=yesterday', 'cursor=garbage', 'nope=1']) {
      expect((await get(`/api/sessions?${qs}`)).statusCode, qs).toBe(400);
    }
  });

  it('returns attacker-controlled data verbatim as JSON data, never interpreted', async () => {
    const res = await get('/api/sessions?subject=' + encodeURIComponent(XSS));
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json<Page>().sessions[0]?.subject).toBe(XSS);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('shows a session with markers at commands, blocks and alerts; 404 for unknown ids', async () => {
    const res = (await get('/api/sessions/ssh-1')).json<{ session: { id: string; blocked: number }; markers: Array<{ kind: string; offsetSec: number; label: string }> }>();
    expect(res.session.blocked).toBe(1);
    expect(res.markers.map((m) => m.kind)).toEqual(['command', 'command', 'block', 'alert']);
    expect(res.markers[1]?.offsetSec).toBeCloseTo(3, 3);
    expect((await get('/api/sessions/nope')).statusCode).toBe(404);
  });
});

describe('frames, timeline, alerts', () => {
  it('pages frames by seq with base64 payloads', async () => {
    const page = (await get('/api/sessions/ssh-1/frames?fromSeq=2&toSeq=6&limit=3')).json<{ frames: Array<{ seq: number; payload: string }>; nextFromSeq: number }>();
    expect(page.frames.map((f) => f.seq)).toEqual([2, 3, 4]);
    expect(page.nextFromSeq).toBe(5);
    expect(Buffer.from(page.frames[0]?.payload ?? '', 'base64').toString()).toBe('Welcome to demo-host\r\n$ ');
  });

  it('builds the query timeline with outcomes, decisions and masked previews', async () => {
    const t = (await get('/api/sessions/db-1/queries')).json<{ queries: Array<{ statement: string; outcome: string; decisions: Array<{ action: string }>; preview: { columns: string[]; rows: string[][] } | null; rows: number; durationMs: number }> }>();
    expect(t.queries.map((q) => q.outcome)).toEqual(['ok', 'blocked', 'ok']);
    expect(t.queries[0]?.preview).toEqual({ columns: ['email', 'name'], rows: [['j***@example.com', XSS], ['m***@example.org', 'Mary']] });
    expect(t.queries[0]?.decisions).toEqual([{ action: 'MASK', rule: 'pii/email', reason: '' }]);
    expect(t.queries[1]?.decisions[0]?.action).toBe('BLOCK');
    expect(t.queries[2]?.statement).toBe(`SELECT '${XSS}'`);
    expect(t.queries[0]?.durationMs).toBe(1.5);
  });

  it('lists alerts with filters and their offset in the session', async () => {
    const all = (await get('/api/alerts')).json<{ alerts: Array<{ sessionId: string; offsetSec: number; title: string }> }>();
    expect(all.alerts).toHaveLength(1);
    expect(all.alerts[0]?.offsetSec).toBeCloseTo(term.alertOffset, 3);
    expect(all.alerts[0]?.title).toContain(XSS);
    expect((await get('/api/alerts?severity=LOW')).json<{ alerts: unknown[] }>().alerts).toHaveLength(0);
    expect((await get('/api/alerts?severity=bogus')).statusCode).toBe(400);
  });
});

describe('openapi and UI', () => {
  it('describes every API route', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/alerts', '/api/alerts/stream', '/api/sessions', '/api/sessions/{id}', '/api/sessions/{id}/cast', '/api/sessions/{id}/frames', '/api/sessions/{id}/queries', '/api/sessions/{id}/recording', '/api/sessions/{id}/recording/segment', '/api/sql', '/api/stream-tickets']);
  });

  it('serves the UI and the player without a token, refuses path tricks', async () => {
    expect((await h.app.inject('/')).statusCode).toBe(200);
    expect((await h.app.inject('/vendor/asciinema-player/index.js')).headers['content-type']).toMatch(/javascript/);
    for (const url of ['/ui/..%2Fpackage.json', '/ui/../package.json', '/vendor/asciinema-player/..%2F..%2Fpackage.json', '/ui/.env']) {
      expect((await h.app.inject(url)).statusCode, url).toBe(404);
    }
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { freePort } from './demo-target.js';
import { startEmbeddedDemo, type RunningDemo } from './embedded-demo.js';
import { luhnCard } from './seed-data.js';

// End to end: the demo database, gateway, ingest and replay in this process, the scripted agent
// through the real PostgreSQL gateway with node-postgres, then the recording read back through the
// replay API as an auditor would.
let dir: string;
let demo: RunningDemo;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollgate-demo-'));
  const ports = { postgres: await freePort(), ssh: await freePort(), replay: await freePort() };
  demo = await startEmbeddedDemo({ dataDir: dir, env: {}, err: () => undefined, ports }, silentLogger());
  base = `http://127.0.0.1:${ports.replay}`;
}, 90_000);
afterAll(async () => {
  await demo?.stop();
  await rm(dir, { recursive: true, force: true });
});

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${demo.auditorToken}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

describe('first five minutes: the embedded demo', () => {
  it('plays the agent script: reads allowed, contact data masked, the delete blocked', () => {
    expect(demo.agentProblem).toBeUndefined();
    expect(demo.steps?.map((s) => s.outcome)).toEqual(['ok', 'ok', 'ok', 'refused', 'ok']);
    const contacts = demo.steps?.[1]?.sample ?? {};
    expect(String(contacts['email'])).not.toMatch(/@example\.com$/);
    expect(String(contacts['card_number'])).not.toMatch(/^\d{16}$/);
    expect(demo.steps?.[3]?.error).toMatch(/read-only/);
  });

  it('prints the UI address, an auditor token and how to connect a client', () => {
    expect(demo.banner).toContain(`Replay UI:     ${base}/`);
    expect(demo.banner).toContain(demo.auditorToken);
    expect(demo.banner).toMatch(/psql "host=127\.0\.0\.1 port=\d+ dbname=demo/);
  });

  it('shows the recorded session in the replay API with its timeline', async () => {
    type Page = { sessions: Array<{ id: string; subject: string; blocked: number }> };
    let page: Page = { sessions: [] };
    await expect.poll(async () => (page = await api<Page>('/api/sessions?subject=demo-agent')).sessions.length, { timeout: 20_000 }).toBe(1);
    const id = page.sessions[0]?.id ?? '';
    type Timeline = { queries: Array<{ statement: string; outcome: string; preview: { rows: unknown[][] } | null }> };
    const t = await api<Timeline>(`/api/sessions/${encodeURIComponent(id)}/queries`);
    expect(t.queries.find((q) => q.statement.startsWith('DELETE'))?.outcome).toBe('blocked');
    const contacts = t.queries.find((q) => q.statement.includes('card_number'));
    expect(contacts?.preview?.rows.length).toBe(5);
    expect(JSON.stringify(contacts?.preview)).not.toMatch(/\d{16}|@example\.com/);
  });
});

describe('reads of recordings are recorded', () => {
  it('lands every audited read in the frames table as an audit/read decision of the auditor', async () => {
    await api('/api/sessions');
    const count = async () => {
      const res = await fetch(`${base}/api/sql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${demo.auditorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql: "SELECT count() AS n, any(decision_subject) AS who FROM frames WHERE decision_rule = 'audit/read'" }),
      });
      const body = (await res.json()) as { rows: Array<[string, string]> };
      return { n: Number(body.rows[0]?.[0] ?? 0), who: body.rows[0]?.[1] };
    };
    await expect.poll(async () => (await count()).n, { timeout: 20_000 }).toBeGreaterThan(0);
    expect((await count()).who).toBe('demo-auditor');
  });
});

describe('fake data', () => {
  it('makes Luhn-valid card numbers', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let i = 0; i < 50; i++) {
      const digits = luhnCard(rand).split('').map(Number).reverse();
      const sum = digits.reduce((acc, d, idx) => acc + (idx % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
      expect(sum % 10).toBe(0);
    }
  });
});

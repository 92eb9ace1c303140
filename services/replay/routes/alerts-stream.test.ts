import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplayHarness, type ReplayHarness } from '../testing/harness.js';

let h: ReplayHarness;
let base: string;
beforeAll(async () => {
  h = await openReplayHarness();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
afterAll(() => h.close());

async function ticket(token: string): Promise<Response> {
  return fetch(`${base}/api/stream-tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
}

describe('live alert stream (server-sent events)', () => {
  it('issues tickets only to auditors', async () => {
    expect((await ticket(h.agentToken)).status).toBe(403);
    expect((await fetch(`${base}/api/stream-tickets`, { method: 'POST' })).status).toBe(401);
  });

  it('refuses a missing, forged, tampered or expired ticket', async () => {
    const { ticket: good } = (await (await ticket(h.auditorToken)).json()) as { ticket: string };
    const [body, sig] = good.split('.');
    const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${Buffer.from(JSON.stringify({ ...claims, exp: Date.now() + 1e9 })).toString('base64url')}.${sig ?? ''}`;
    for (const t of ['', 'x', 'a.b', tampered, `${body ?? ''}.`, h.auditorToken]) {
      const res = await fetch(`${base}/api/alerts/stream?ticket=${encodeURIComponent(t)}`);
      expect(res.status, t.slice(0, 20)).toBe(401);
    }
  });

  it('streams alerts stored after the client connected', async () => {
    const { ticket: t } = (await (await ticket(h.auditorToken)).json()) as { ticket: string };
    const controller = new AbortController();
    const res = await fetch(`${base}/api/alerts/stream?ticket=${encodeURIComponent(t)}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    await h.store.insert('alerts', [{ alert_id: 'live-1', rule_id: 'r', severity: 'CRITICAL', title: 'live one', subject: 's', session_id: 'x', seq: 1, ts: Date.now() * 1000 + 1000, details_json: '{}' }]);
    let text = '';
    while (!text.includes('live one')) {
      const { value, done } = (await reader.read()) as { value: Uint8Array | undefined; done: boolean };
      if (done) break;
      text += Buffer.from(value ?? new Uint8Array()).toString();
    }
    controller.abort();
    expect(text).toMatch(/event: alert\ndata: \{.*"title":"live one"/);
    expect(h.audit.reads.some((r) => r.route === 'GET /api/alerts/stream')).toBe(true);
  });
});

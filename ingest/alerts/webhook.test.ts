import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../services/core/events/types.js';
import { SIGNATURE_HEADER, deliver, wants, type DeliveryIo, type WebhookTarget } from './webhook.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let url = '';
const received: Received[] = [];
/** Status codes the receiver answers with, in order; then 200. */
let plan: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = plan.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const alert: Alert = {
  alertId: 'tg.ssh.credential-files/s1/4', ruleId: 'tg.ssh.credential-files', severity: 'HIGH', title: 'Access to credential files',
  subject: 'alice@example.com', sessionId: 's1', seq: 4, tsMicros: Date.UTC(2026, 0, 5, 10) * 1000, detailsJson: '{"command":"cat /etc/shadow"}',
};
const sleeps: number[] = [];
const io: DeliveryIo = { fetch: globalThis.fetch, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); }, nowMs: () => Date.UTC(2026, 0, 5, 10, 0, 1) };
const target = (o: Partial<WebhookTarget> = {}): WebhookTarget => ({ name: 'soc', url, secret: 'a-long-shared-secret', minSeverity: 'medium', timeoutMs: 2000, format: 'tollgate', maxAttempts: 4, baseDelayMs: 10, ...o });

function reset(): void {
  received.length = 0;
  sleeps.length = 0;
  plan = [];
}

describe('alert webhooks against a real HTTP server', () => {
  it('posts JSON signed with HMAC-SHA256 over "<timestamp>.<body>"', async () => {
    reset();
    const r = await deliver(target(), alert, io);
    expect(r).toEqual({ ok: true, attempts: 1, error: '' });
    const [got] = received;
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-tollgate-alert-id']).toBe(alert.alertId);
    const sig = String(got!.headers[SIGNATURE_HEADER]);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig) ?? [];
    expect(Number(t)).toBe(Math.floor(io.nowMs() / 1000));
    expect(v1).toBe(createHmac('sha256', 'a-long-shared-secret').update(`${t}.${got!.body}`).digest('hex'));
    // A receiver checking with another secret, or a tampered body, would not match.
    expect(v1).not.toBe(createHmac('sha256', 'other').update(`${t}.${got!.body}`).digest('hex'));
    expect(JSON.parse(got!.body)).toMatchObject({ alertId: alert.alertId, ruleId: alert.ruleId, severity: 'HIGH', subject: 'alice@example.com', details: { command: 'cat /etc/shadow' } });
  });

  it('retries 5xx and 429 with exponential backoff, then succeeds', async () => {
    reset();
    plan = [503, 429, 500];
    const r = await deliver(target(), alert, io);
    expect(r).toEqual({ ok: true, attempts: 4, error: '' });
    expect(received).toHaveLength(4);
    expect(sleeps).toEqual([10, 20, 40]);
  });

  it('gives up after maxAttempts with the last error (the dispatcher dead-letters it)', async () => {
    reset();
    plan = [500, 500, 500, 500];
    const r = await deliver(target(), alert, io);
    expect(r).toEqual({ ok: false, attempts: 4, error: 'HTTP 500' });
  });

  it('does not retry a 4xx refusal', async () => {
    reset();
    plan = [400];
    expect(await deliver(target(), alert, io)).toEqual({ ok: false, attempts: 1, error: 'HTTP 400' });
  });

  it('retries when nothing listens, and reports the network error', async () => {
    reset();
    const r = await deliver(target({ url: 'http://127.0.0.1:1/hook', maxAttempts: 2 }), alert, io);
    expect(r.ok).toBe(false);
    expect(r.attempts).toBe(2);
    expect(r.error).toMatch(/fetch failed|ECONNREFUSED/);
  });

  it('sends an OCSF Detection Finding when asked', async () => {
    reset();
    const { secret: _secret, ...unsigned } = target({ format: 'ocsf' });
    await deliver(unsigned, alert, io);
    const body = JSON.parse(received[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401, severity_id: 4, finding_info: { uid: alert.alertId, analytic: { uid: alert.ruleId } }, actor: { user: { name: 'alice@example.com' } } });
    expect(received[0]!.headers[SIGNATURE_HEADER]).toBeUndefined();
  });

  it('filters by minimum severity', () => {
    expect(wants(target({ minSeverity: 'high' }), alert)).toBe(true);
    expect(wants(target({ minSeverity: 'critical' }), alert)).toBe(false);
    expect(wants(target({ minSeverity: 'info' }), { ...alert, severity: 'LOW' })).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { isTollgateError } from '../core/errors.js';
import { EventCodec } from '../core/events/index.js';
import type { AppendRecord, EventLog } from '../core/log/port.js';
import { MemoryRegistry } from '../../ingest/testing/memory-registry.js';
import { AUDIT_READ_RULE, logAuditRecorder } from './audit-recorder.js';

class CapturingLog implements Pick<EventLog, 'append'> {
  appended: Array<{ topic: string; record: AppendRecord }> = [];
  down = false;
  append(topic: string, records: readonly AppendRecord[]): Promise<void> {
    if (this.down) return Promise.reject(new Error('broker gone'));
    for (const record of records) this.appended.push({ topic, record });
    return Promise.resolve();
  }
}

const identity = { subject: 'carol', issuer: 'tollgate-dev', groups: ['auditors'], claims: {}, expiresAt: 0 };

describe('audit reads on the event log', () => {
  it('appends one ALLOW decision frame with rule audit/read under its own audit session', async () => {
    const codec = await EventCodec.create(new MemoryRegistry());
    const log = new CapturingLog();
    const rec = logAuditRecorder(log as unknown as EventLog, codec, new ManualClock(Date.UTC(2026, 5, 1)), 'node-a');
    await rec.record({ identity, route: 'GET /api/sessions/:id/cast', sessionId: 's-1', detail: 'x'.repeat(10_000), clientAddress: '127.0.0.1' });
    await rec.record({ identity, route: 'POST /api/sql', sessionId: '', detail: 'SELECT 1', clientAddress: '127.0.0.1' });
    expect(log.appended).toHaveLength(2);
    const [a, b] = log.appended.map((x) => ({ topic: x.topic, key: x.record.key, frame: codec.decodeFrame(x.record.value) }));
    expect(a?.topic).toBe('tollgate.frames.v1');
    expect(a?.key).toBe(a?.frame.sessionId);
    expect(a?.frame.sessionId).toMatch(/^audit-[0-9a-f-]{36}$/);
    expect(a?.frame.sessionId).not.toBe(b?.frame.sessionId);
    expect(a?.frame.body).toMatchObject({ kind: 'Decision', action: 'ALLOW', rule: AUDIT_READ_RULE, subject: 'carol', reason: 'GET /api/sessions/:id/cast' });
    const details = (a?.frame.body as { details: Record<string, string> }).details;
    expect(details['session']).toBe('s-1');
    expect(details['detail']?.length).toBe(4096);
    expect(a?.frame.tsMicros).toBe(Date.UTC(2026, 5, 1) * 1000);
  });

  it('rejects with TG_ERR_LOG_UNAVAILABLE when the log refuses, so the read is refused', async () => {
    const codec = await EventCodec.create(new MemoryRegistry());
    const log = new CapturingLog();
    log.down = true;
    const rec = logAuditRecorder(log as unknown as EventLog, codec, new ManualClock(), 'n');
    const err: unknown = await rec.record({ identity, route: 'r', sessionId: '', detail: '', clientAddress: '' }).catch((e: unknown) => e);
    expect(isTollgateError(err, 'TG_ERR_LOG_UNAVAILABLE')).toBe(true);
  });
});

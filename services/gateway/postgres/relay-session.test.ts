import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../core/clock.js';
import type { EventCodec } from '../../core/events/codec.js';
import type { Frame } from '../../core/events/types.js';
import { compileMaskingProfile } from '../../core/masking/index.js';
import { SessionRecorder } from '../../core/recording/recorder.js';
import type { RecordingSink } from '../../core/recording/sink.js';
import type { ColumnCatalog } from './column-catalog.js';
import { WireRecorder } from './frame-recording.js';
import { compileGuardrails, GuardrailSession, loadGuardrailParser } from './guardrails/index.js';
import {
  BackendDecoder, encodeBackendMessage, encodeDataRow, encodeFrontendMessage, FrontendDecoder, noticeFields,
  type BackendMessage, type DecodedBackendMessage, type EncodableFrontendMessage,
} from './protocol/index.js';
import { RelaySession } from './relay-session.js';
import { ResultMasking } from './result-masking.js';

await loadGuardrailParser();

function recorder(): { wire: WireRecorder; frames: Frame[] } {
  const frames: Frame[] = [];
  // Like the real codec, copy at encode time: the recorder reuses its input objects.
  const codec = { encodeFrame: (f: Frame) => (frames.push({ ...f, body: { ...f.body } }), Buffer.alloc(0)) } as unknown as EventCodec;
  const sink = { write: () => undefined } as unknown as RecordingSink;
  const clock: Clock = { nowMs: () => 0, nowMicros: () => 0n };
  return { wire: new WireRecorder(new SessionRecorder('s', 'POSTGRES', codec, sink, clock)), frames };
}

function relay(options: { guard?: string[]; observe?: string[]; mask?: boolean } = {}) {
  const rec = recorder();
  const plan = compileMaskingProfile({ columns: [{ column: 'users.email' }], detectors: ['card'] });
  const catalog = { missing: () => [], column: (oid: number, att: number, name: string, format: 'text' | 'binary') => (oid === 0 ? { name, format } : { schema: 'public', table: 'users', name: att === 1 ? 'email' : 'id', format }) } as unknown as ColumnCatalog;
  const session = new RelaySession({
    recorder: rec.wire,
    enforce: options.guard === undefined ? undefined : new GuardrailSession(compileGuardrails(options.guard as never[])),
    observe: options.observe === undefined ? undefined : new GuardrailSession(compileGuardrails(options.observe as never[], [], { mode: 'observe' })),
    masking: options.mask === true ? { plan, results: new ResultMasking(plan, catalog) } : undefined,
    probeNonce: 'n0nce',
    now: () => 0,
  });
  return { session, frames: rec.frames };
}

const fromClient = (s: RelaySession, ...msgs: EncodableFrontendMessage[]) => {
  const d = new FrontendDecoder({ skipStartup: true });
  d.push(Buffer.concat(msgs.map((m) => encodeFrontendMessage(m))));
  for (let m = d.next(); m !== undefined; m = d.next()) s.fromClient(m);
};
const fromUpstream = (s: RelaySession, ...msgs: (BackendMessage | Buffer)[]) => {
  const d = new BackendDecoder();
  d.push(Buffer.concat(msgs.map((m) => (Buffer.isBuffer(m) ? m : encodeBackendMessage(m)))));
  for (let m = d.next(); m !== undefined; m = d.next()) s.fromUpstream(m);
};
const decodeBackend = (bufs: Buffer[]): DecodedBackendMessage[] => {
  const d = new BackendDecoder();
  d.push(Buffer.concat(bufs));
  const out: DecodedBackendMessage[] = [];
  for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
  return out;
};
const decodeFrontend = (bufs: Buffer[]) => {
  const d = new FrontendDecoder({ skipStartup: true });
  d.push(Buffer.concat(bufs));
  const out = [];
  for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
  return out;
};
const probeError = (text: string): BackendMessage => ({ kind: 'ErrorResponse', fields: noticeFields({ severity: 'ERROR', code: '42601', message: `syntax error at or near "${text}"` }) });

describe('relay session', () => {
  it('forwards allowed messages as they came and records them once', () => {
    const { session, frames } = relay({ guard: ['no-ddl'] });
    fromClient(session, { kind: 'Query', sql: 'SELECT 1' });
    expect(decodeFrontend(session.toUpstream.drain())).toMatchObject([{ kind: 'Query', sql: 'SELECT 1' }]);
    expect(frames.map((f) => `${f.direction}:${f.eventType}`)).toEqual(['CLIENT_TO_GATEWAY:db.query']);
    expect(session.outstanding).toBe(1);
  });

  it('replaces a blocked Query by a failing probe and the probe error by the guardrail error', () => {
    const { session, frames } = relay({ guard: ['no-ddl'] });
    fromClient(session, { kind: 'Query', sql: 'DROP TABLE t' });
    const probe = decodeFrontend(session.toUpstream.drain());
    expect(probe).toHaveLength(1);
    const sql = probe[0]?.kind === 'Query' ? probe[0].sql : '';
    expect(sql).toMatch(/^tollgate_blocked_n0nce_\d+$/);
    fromUpstream(session, probeError(sql), { kind: 'ReadyForQuery', status: 'I' });
    const toClient = decodeBackend(session.toClient.drain());
    expect(toClient.map((m) => m.kind)).toEqual(['ErrorResponse', 'ReadyForQuery']);
    const err = toClient[0];
    expect(err?.kind === 'ErrorResponse' && err.fields.get('C')).toBe('42501');
    expect(err?.kind === 'ErrorResponse' && err.fields.get('M')).toMatch(/no-ddl\/ddl/);
    expect(JSON.stringify(toClient.map((m) => m.raw.toString('latin1')))).not.toContain('n0nce');
    expect(frames.some((f) => f.eventType === 'policy.block' && f.body.kind === 'Decision' && f.body.rule === 'no-ddl/ddl')).toBe(true);
  });

  it('does not let a client forge a probe error: unknown markers pass through untouched', () => {
    const { session } = relay({ guard: ['no-ddl'] });
    fromClient(session, { kind: 'Query', sql: 'SELECT tollgate_blocked_n0nce_1' });
    session.toUpstream.drain();
    const forged = probeError('tollgate_blocked_n0nce_1');
    fromUpstream(session, forged);
    const out = decodeBackend(session.toClient.drain());
    expect(out[0]?.kind === 'ErrorResponse' && out[0].fields.get('C')).toBe('42601');
  });

  it('in the extended protocol, probes with a Describe and skips client messages until Sync', () => {
    const { session } = relay({ guard: ['no-ddl'] });
    fromClient(session,
      { kind: 'Parse', statement: '', query: 'CREATE TABLE x (i int)', parameterTypes: [] },
      { kind: 'Bind', portal: '', statement: '', parameterFormats: [], parameters: [], resultFormats: [] },
      { kind: 'Execute', portal: '', maxRows: 0 },
      { kind: 'Sync' },
    );
    expect(decodeFrontend(session.toUpstream.drain()).map((m) => m.kind)).toEqual(['Describe', 'Sync']);
    fromClient(session, { kind: 'Parse', statement: '', query: 'SELECT 1', parameterTypes: [] }, { kind: 'Sync' });
    expect(decodeFrontend(session.toUpstream.drain()).map((m) => m.kind)).toEqual(['Parse', 'Sync']);
  });

  it('a Bind of a statement never parsed through the gateway is blocked (fail closed)', () => {
    const { session } = relay({ guard: ['read-only'] });
    fromClient(session, { kind: 'Bind', portal: '', statement: 'made_elsewhere', parameterFormats: [], parameters: [], resultFormats: [] }, { kind: 'Sync' });
    expect(decodeFrontend(session.toUpstream.drain()).map((m) => m.kind)).toEqual(['Describe', 'Sync']);
  });

  it('judges a SELECT shape once per session, but never lets a cached shape cover a different statement', () => {
    const judged = vi.spyOn(GuardrailSession.prototype, 'judgeQuery');
    try {
      const { session } = relay({ guard: ['read-only'], observe: ['no-catalog-secrets'] });
      for (const aid of [1, 2, 3]) fromClient(session, { kind: 'Query', sql: `SELECT abalance FROM pgbench_accounts WHERE aid = ${aid};` });
      // Enforce and observe each judged the first text only.
      expect(judged).toHaveBeenCalledTimes(2);
      expect(decodeFrontend(session.toUpstream.drain()).map((m) => m.kind === 'Query' && m.sql)).toEqual([1, 2, 3].map((aid) => `SELECT abalance FROM pgbench_accounts WHERE aid = ${aid};`));
      for (const sql of [
        'SELECT abalance FROM pgbench_accounts WHERE aid = 4; DELETE FROM pgbench_accounts',
        'SELECT abalance FROM pgbench_accounts WHERE aid = pg_terminate_backend(4)',
        'SELECT abalance INTO x FROM pgbench_accounts WHERE aid = 4',
      ]) {
        fromClient(session, { kind: 'Query', sql });
        const sent = decodeFrontend(session.toUpstream.drain());
        expect(sent[0]?.kind === 'Query' && sent[0].sql, sql).toMatch(/^tollgate_blocked_n0nce_/);
      }
    } finally {
      judged.mockRestore();
    }
  });

  it('observe mode forwards the statement and records the verdict', () => {
    const { session, frames } = relay({ observe: ['no-ddl'] });
    fromClient(session, { kind: 'Query', sql: 'DROP TABLE t' });
    expect(decodeFrontend(session.toUpstream.drain())).toMatchObject([{ kind: 'Query', sql: 'DROP TABLE t' }]);
    expect(frames.find((f) => f.eventType === 'policy.observe')?.body).toMatchObject({ action: 'OBSERVE', rule: 'no-ddl/ddl' });
  });

  it('ends the session on a password message after startup and on Terminate', () => {
    const a = relay();
    fromClient(a.session, { kind: 'PasswordMessage', password: 'again' });
    expect(a.session.ended?.error).toBe('08P01');
    const b = relay();
    fromClient(b.session, { kind: 'Terminate' });
    expect(b.session.ended?.reason).toBe('client terminated');
  });

  it('masks rows by the RowDescription columns and records only the masked row', () => {
    const { session, frames } = relay({ mask: true });
    fromClient(session, { kind: 'Query', sql: 'SELECT email, id FROM users' });
    const fields = [
      { name: 'email', tableOid: 1, columnAttr: 1, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 },
      { name: 'id', tableOid: 1, columnAttr: 2, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 },
    ];
    fromUpstream(session, { kind: 'RowDescription', fields }, encodeDataRow([Buffer.from('a@b.co'), Buffer.from('7')]), { kind: 'CommandComplete', tag: 'SELECT 1' }, { kind: 'ReadyForQuery', status: 'I' });
    const out = decodeBackend(session.toClient.drain());
    const row = out.find((m) => m.kind === 'DataRow');
    expect(row?.kind === 'DataRow' && row.values.map((v) => v?.toString())).toEqual(['****', '7']);
    const recorded = frames.filter((f) => f.eventType === 'db.row');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.body.kind === 'Wire' && recorded[0].body.maskedInline).toBe(true);
    expect(frames.some((f) => f.eventType === 'mask.applied')).toBe(true);
  });

  it('withholds rows it cannot attribute to a description (extended Execute without Describe)', () => {
    const { session } = relay({ mask: true });
    fromClient(session,
      { kind: 'Bind', portal: '', statement: 'unknown', parameterFormats: [], parameters: [], resultFormats: [1] },
      { kind: 'Execute', portal: '', maxRows: 0 },
      { kind: 'Sync' },
    );
    fromUpstream(session, { kind: 'BindComplete' }, encodeDataRow([Buffer.from([0, 0, 0, 1])]));
    const out = decodeBackend(session.toClient.drain());
    const row = out.find((m) => m.kind === 'DataRow');
    expect(row?.kind === 'DataRow' && row.values).toEqual([null]);
  });
});

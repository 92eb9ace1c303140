import { ManualClock } from '../../services/core/clock.js';
import { decisionBody, sessionEndBody, sessionStartBody, wireBody } from '../../services/core/events/bodies.js';
import type { EventType } from '../../services/core/events/codes.js';
import { EventCodec } from '../../services/core/events/codec.js';
import type { DecisionAction, Direction, Protocol } from '../../services/core/events/types.js';
import type { AppendRecord } from '../../services/core/log/port.js';
import { SessionRecorder } from '../../services/core/recording/recorder.js';
import type { RecordingSink } from '../../services/core/recording/sink.js';
import { encodeBackendMessage, encodeFrontendMessage, noticeFields } from '../../services/gateway/postgres/protocol/index.js';
import { MemoryRegistry } from './memory-registry.js';

export interface StartOptions {
  subject?: string;
  connection?: string;
  clientAddress?: string;
  maskingProfiles?: string[];
  jti?: string;
  tokenExpiresAtMs?: number;
}

/** Records sessions the way the gateways do and keeps the encoded frames, in order, as log records. */
export class FixtureRecorder {
  readonly records: AppendRecord[] = [];
  readonly clock: ManualClock;
  private readonly sink: RecordingSink;

  private constructor(readonly codec: EventCodec, startMs: number) {
    this.clock = new ManualClock(startMs);
    const records = this.records;
    this.sink = { write: (key: string, value: Buffer) => records.push({ key, value }), ready: () => Promise.resolve() } as unknown as RecordingSink;
  }

  /** A recorder whose clock starts at `startMs` (default: one hour ago, inside the frames TTL). */
  static async create(startMs = Date.now() - 3_600_000, codec?: EventCodec): Promise<FixtureRecorder> {
    return new FixtureRecorder(codec ?? (await EventCodec.create(new MemoryRegistry())), startMs);
  }

  /** Starts a session: records its session.start frame. */
  start(id: string, protocol: Protocol, o: StartOptions = {}): ScriptedSession {
    const rec = new SessionRecorder(id, protocol, this.codec, this.sink, this.clock);
    const claims: Record<string, unknown> = { sub: o.subject ?? 'alice@example.com' };
    if (o.jti !== undefined) claims['jti'] = o.jti;
    rec.record({
      direction: 'GATEWAY',
      eventType: 'session.start',
      body: sessionStartBody({
        identity: { subject: o.subject ?? 'alice@example.com', issuer: 'https://issuer.test', groups: ['eng'], roles: ['dev'], claimsJson: JSON.stringify(claims) },
        target: { connection: o.connection ?? 'staging-db', protocol, host: '10.0.0.5', port: protocol === 'SSH' ? 22 : protocol === 'KUBERNETES' ? 6443 : 5432, database: protocol === 'POSTGRES' ? 'app' : null, user: 'svc' },
        clientAddress: o.clientAddress ?? '192.0.2.10',
        gatewayNode: 'gw-1',
        grant: 'dev-grant',
        guardrails: ['no-ddl'],
        maskingProfiles: o.maskingProfiles ?? [],
        recordingPolicy: 'STRICT',
        tokenExpiresAtMs: o.tokenExpiresAtMs ?? 1_900_000_000_000,
      }),
    });
    return new ScriptedSession(rec, this.clock);
  }
}

export interface QueryScript {
  columns?: string[];
  rows?: string[][];
  tag?: string;
  error?: string;
  block?: string;
  /** Rows were masked by the gateway: recorded as sent, with a mask.applied decision. */
  maskedInline?: string;
}

/** One session's script: each call records the frames a gateway would record for that exchange. */
export class ScriptedSession {
  constructor(readonly rec: SessionRecorder, private readonly clock: ManualClock) {}

  get id(): string {
    return this.rec.sessionId;
  }

  wire(direction: Direction, eventType: EventType, messageType: string, payload: Buffer, channel: number | null = null, maskedInline = false): number {
    this.clock.advanceMs(1);
    return this.rec.record({ direction, eventType, messageType, channel, body: wireBody(payload, { maskedInline }) });
  }

  decision(eventType: EventType, action: DecisionAction, rule: string, refSeq: number | null, reason = ''): number {
    return this.rec.record({ direction: 'GATEWAY', eventType, body: decisionBody(action, { rule, refSeq, reason }) });
  }

  /** A simple-protocol Query with its result, error or block. Returns the Query's seq. */
  query(sql: string, s: QueryScript = {}): number {
    const seq = this.wire('CLIENT_TO_GATEWAY', 'db.query', 'Query', encodeFrontendMessage({ kind: 'Query', sql }));
    this.backendResult(seq, s);
    return seq;
  }

  /** Parse + Bind + Execute + Sync with the result. Returns the Execute's seq. */
  extended(sql: string, params: string[], s: QueryScript = {}): number {
    const parse = this.wire('CLIENT_TO_GATEWAY', 'db.parse', 'Parse', encodeFrontendMessage({ kind: 'Parse', statement: '', query: sql, parameterTypes: [] }));
    if (s.block !== undefined) {
      this.decision('policy.block', 'BLOCK', s.block, parse, 'blocked by guardrail');
      this.wire('GATEWAY_TO_CLIENT', 'db.error', 'ErrorResponse', encodeBackendMessage({ kind: 'ErrorResponse', fields: noticeFields({ severity: 'ERROR', code: '42501', message: `blocked by ${s.block}` }) }));
      this.wire('CLIENT_TO_GATEWAY', 'db.frame', 'Sync', encodeFrontendMessage({ kind: 'Sync' }));
      this.wire('GATEWAY_TO_CLIENT', 'db.frame', 'ReadyForQuery', encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' }));
      return parse;
    }
    this.wire('CLIENT_TO_GATEWAY', 'db.bind', 'Bind', encodeFrontendMessage({ kind: 'Bind', portal: '', statement: '', parameterFormats: [], parameters: params.map((p) => Buffer.from(p)), resultFormats: [] }));
    const exec = this.wire('CLIENT_TO_GATEWAY', 'db.execute', 'Execute', encodeFrontendMessage({ kind: 'Execute', portal: '', maxRows: 0 }));
    this.wire('CLIENT_TO_GATEWAY', 'db.frame', 'Sync', encodeFrontendMessage({ kind: 'Sync' }));
    this.wire('UPSTREAM_TO_GATEWAY', 'db.frame', 'ParseComplete', encodeBackendMessage({ kind: 'ParseComplete' }));
    this.wire('UPSTREAM_TO_GATEWAY', 'db.frame', 'BindComplete', encodeBackendMessage({ kind: 'BindComplete' }));
    this.backendResult(exec, s);
    return exec;
  }

  private backendResult(seq: number, s: QueryScript): void {
    if (s.block !== undefined) {
      this.decision('policy.block', 'BLOCK', s.block, seq, 'blocked by guardrail');
      this.wire('GATEWAY_TO_CLIENT', 'db.error', 'ErrorResponse', encodeBackendMessage({ kind: 'ErrorResponse', fields: noticeFields({ severity: 'ERROR', code: '42501', message: `blocked by ${s.block}` }) }));
      this.wire('GATEWAY_TO_CLIENT', 'db.frame', 'ReadyForQuery', encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' }));
      return;
    }
    if (s.error !== undefined) {
      this.wire('UPSTREAM_TO_GATEWAY', 'db.error', 'ErrorResponse', encodeBackendMessage({ kind: 'ErrorResponse', fields: noticeFields({ severity: 'ERROR', code: '42P01', message: s.error }) }));
      this.wire('UPSTREAM_TO_GATEWAY', 'db.frame', 'ReadyForQuery', encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' }));
      return;
    }
    const columns = s.columns ?? [];
    if (columns.length > 0) {
      const fields = columns.map((name) => ({ name, tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }));
      this.wire('UPSTREAM_TO_GATEWAY', 'db.describe', 'RowDescription', encodeBackendMessage({ kind: 'RowDescription', fields }));
    }
    if (s.maskedInline !== undefined) this.decision('mask.applied', 'MASK', s.maskedInline, seq);
    for (const row of s.rows ?? []) {
      const payload = encodeBackendMessage({ kind: 'DataRow', values: row.map((v) => Buffer.from(v)) });
      if (s.maskedInline !== undefined) this.wire('GATEWAY_TO_CLIENT', 'db.row', 'DataRow', payload, null, true);
      else this.wire('UPSTREAM_TO_GATEWAY', 'db.row', 'DataRow', payload);
    }
    this.clock.advanceMs(5);
    this.wire('UPSTREAM_TO_GATEWAY', 'db.complete', 'CommandComplete', encodeBackendMessage({ kind: 'CommandComplete', tag: s.tag ?? `SELECT ${(s.rows ?? []).length}` }));
    this.wire('UPSTREAM_TO_GATEWAY', 'db.frame', 'ReadyForQuery', encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' }));
  }

  /** An SSH exec request with its output and exit status; `block` records a refusal instead. */
  sshExec(channel: number, command: string, output = '', status = 0, block?: string): number {
    const seq = this.wire('CLIENT_TO_GATEWAY', 'ssh.exec', 'exec', Buffer.from(command), channel);
    if (block !== undefined) {
      this.decision('policy.block', 'BLOCK', block, seq);
      return seq;
    }
    if (output !== '') this.wire('UPSTREAM_TO_GATEWAY', 'ssh.data', 'data', Buffer.from(output), channel);
    this.wire('UPSTREAM_TO_GATEWAY', 'ssh.exit', 'exit-status', Buffer.from(JSON.stringify({ status })), channel);
    return seq;
  }

  /** Opens an interactive shell on a channel with a pty. */
  sshShell(channel: number, cols = 80, rows = 24): void {
    this.wire('CLIENT_TO_GATEWAY', 'ssh.pty', 'pty-req', Buffer.from(JSON.stringify({ cols, rows, term: 'xterm-256color' })), channel);
    this.wire('CLIENT_TO_GATEWAY', 'ssh.shell', 'shell', Buffer.alloc(0), channel);
  }

  /** Terminal input typed on a channel, split into the given chunks. Returns the last chunk's seq. */
  type(channel: number, ...chunks: string[]): number {
    let seq = -1;
    for (const c of chunks) seq = this.wire('CLIENT_TO_GATEWAY', 'ssh.data', 'data', Buffer.from(c), channel);
    return seq;
  }

  /** Terminal output on a channel, split into the given chunks. */
  print(channel: number, ...chunks: string[]): void {
    for (const c of chunks) this.wire('UPSTREAM_TO_GATEWAY', 'ssh.data', 'data', Buffer.from(c), channel);
  }

  /** A Kubernetes API request and its response, sharing a request id (channel). Returns the request's seq. */
  k8s(id: number, method: string, path: string, status: number, responseBody = '{}', requestBody?: string): number {
    const seq = this.wire('CLIENT_TO_GATEWAY', 'k8s.request', 'request', Buffer.from(JSON.stringify({ method, path, ...(requestBody === undefined ? {} : { body: requestBody }) })), id);
    this.wire('UPSTREAM_TO_GATEWAY', 'k8s.response', 'response', Buffer.from(JSON.stringify({ status, body: responseBody })), id);
    return seq;
  }

  end(reason = 'client closed', error: string | null = null): number {
    this.clock.advanceMs(10);
    return this.rec.record({ direction: 'GATEWAY', eventType: 'session.end', body: sessionEndBody(reason, { error, frames: this.rec.frames + 1 }) });
  }
}

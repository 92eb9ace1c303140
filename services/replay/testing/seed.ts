import { encodeBackendMessage } from '../../gateway/postgres/protocol/backend-encoder.js';
import type { Store } from '../../core/store/port.js';

/**
 * Recorded sessions written straight into the store (as ingest would), for the replay tests, the
 * browser tests and the benchmark. Times are recent: frames older than the retention are dropped.
 */

type Row = Record<string, unknown>;

export const XSS = `<img src=x onerror="window.__xss=1">`;

export interface SeededTerminal {
  sessionId: string;
  startUs: number;
  /** Output text in order, as a terminal shows it. */
  output: string;
  /** Times (s from start) of the command markers. */
  commandOffsets: number[];
  alertOffset: number;
}

function frame(sessionId: string, seq: number, tsUs: number, eventType: string, direction: string, payload: Buffer | string, extra: Row = {}): Row {
  return {
    session_id: sessionId, seq, ts: tsUs, protocol: eventType.startsWith('db.') ? 'POSTGRES' : eventType.startsWith('ssh.') ? 'SSH' : 'GATEWAY',
    direction, event_type: eventType, event_code: 0, message_type: '', channel: eventType.startsWith('ssh.') ? 0 : null,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload, masked_inline: false, truncated: false,
    original_length: payload.length, decision_action: '', decision_rule: '', decision_reason: '', decision_subject: '', decision_ref_seq: null,
    log_partition: 0, log_offset: seq, ...extra,
  };
}

/** A session row as ingest projects it. */
export function sessionRow(id: string, startUs: number, fields: Row): Row {
  return {
    session_id: id, version: 1, started_at: startUs, ended_at: null, subject: 'alice', issuer: 'tollgate-dev', groups: [], roles: [],
    grant: '', connection: 'demo', protocol: 'POSTGRES', target_host: '127.0.0.1', target_port: 5432, target_database: 'app', target_user: 'app',
    client_address: '127.0.0.1', gateway_node: 'n1', recording_policy: 'STRICT', guardrails: [], masking_profiles: [], bytes_from_client: 0,
    bytes_to_client: 0, frames: 0, queries: 0, commands: 0, blocked: 0, alerts: 0, outcome: 'ok', end_reason: 'client', error: '', ...fields,
  };
}

/** An SSH shell: pty 80x24, prompt, two commands (one blocked), a resize, an alert, UTF-8 split across frames. */
export async function seedTerminalSession(store: Store, sessionId: string, startUs: number): Promise<SeededTerminal> {
  const s = 1_000_000;
  const euro = Buffer.from('price: 5€\r\n');
  const cut = euro.indexOf(0xe2) + 1;
  const frames: Row[] = [
    frame(sessionId, 0, startUs, 'session.start', 'GATEWAY', '{}'),
    frame(sessionId, 1, startUs + 1000, 'ssh.pty', 'CLIENT_TO_GATEWAY', JSON.stringify({ cols: 80, rows: 24, term: 'xterm-256color' })),
    frame(sessionId, 2, startUs + 0.1 * s, 'ssh.data', 'UPSTREAM_TO_GATEWAY', 'Welcome to demo-host\r\n$ '),
    frame(sessionId, 3, startUs + 1 * s, 'ssh.data', 'CLIENT_TO_GATEWAY', 'ls\r'),
    frame(sessionId, 4, startUs + 1.1 * s, 'ssh.data', 'UPSTREAM_TO_GATEWAY', `ls\r\nnotes.txt  ${XSS}\r\n`),
    frame(sessionId, 5, startUs + 1.2 * s, 'ssh.data', 'UPSTREAM_TO_GATEWAY', euro.subarray(0, cut)),
    frame(sessionId, 6, startUs + 1.3 * s, 'ssh.data', 'UPSTREAM_TO_GATEWAY', Buffer.concat([euro.subarray(cut), Buffer.from('$ ')])),
    frame(sessionId, 7, startUs + 2 * s, 'ssh.resize', 'CLIENT_TO_GATEWAY', JSON.stringify({ cols: 120, rows: 40 })),
    frame(sessionId, 8, startUs + 3 * s, 'ssh.data', 'CLIENT_TO_GATEWAY', 'rm -rf /\r'),
    frame(sessionId, 9, startUs + 3.01 * s, 'policy.block', 'GATEWAY', '', { decision_action: 'BLOCK', decision_rule: 'ssh/destructive', decision_reason: 'rm -rf /', decision_ref_seq: 8 }),
    frame(sessionId, 10, startUs + 3.1 * s, 'ssh.data', 'UPSTREAM_TO_GATEWAY', 'rm -rf /\r\ntollgate: blocked by guardrail ssh/destructive\r\n$ '),
    frame(sessionId, 11, startUs + 5 * s, 'ssh.data', 'UPSTREAM_TO_GATEWAY', '\x1b[2J\x1b[Hcleared screen\r\n$ '),
    frame(sessionId, 12, startUs + 6 * s, 'ssh.data', 'UPSTREAM_TO_GATEWAY', 'after clear\r\n$ '),
    frame(sessionId, 13, startUs + 7 * s, 'ssh.exit', 'UPSTREAM_TO_GATEWAY', '{"code":0}'),
    frame(sessionId, 14, startUs + 7.1 * s, 'session.end', 'GATEWAY', '{}'),
  ];
  await store.insert('frames', frames);
  await store.insert('sessions', [sessionRow(sessionId, startUs, { protocol: 'SSH', connection: 'demo-ssh', subject: 'bob', ended_at: startUs + 7.1 * s, frames: 15, commands: 2, blocked: 1, alerts: 1 })]);
  await store.insert('commands', [
    { session_id: sessionId, seq: 3, ts: startUs + 1 * s, subject: 'bob', connection: 'demo-ssh', protocol: 'SSH', kind: 'shell', command: 'ls', exit_status: null, outcome: 'ok', decision_action: 'ALLOW', decision_rule: '' },
    { session_id: sessionId, seq: 8, ts: startUs + 3 * s, subject: 'bob', connection: 'demo-ssh', protocol: 'SSH', kind: 'shell', command: 'rm -rf /', exit_status: null, outcome: 'blocked', decision_action: 'BLOCK', decision_rule: 'ssh/destructive' },
  ]);
  await store.insert('alerts', [{ alert_id: `a-${sessionId}`, rule_id: 'destructive-command', severity: 'HIGH', title: `Destructive command ${XSS}`, subject: 'bob', session_id: sessionId, seq: 9, ts: startUs + 3.01 * s, details_json: '{}' }]);
  return {
    sessionId, startUs,
    output: `Welcome to demo-host\r\n$ ls\r\nnotes.txt  ${XSS}\r\nprice: 5€\r\n$ rm -rf /\r\ntollgate: blocked by guardrail ssh/destructive\r\n$ \x1b[2J\x1b[Hcleared screen\r\n$ after clear\r\n$ `,
    commandOffsets: [1, 3], alertOffset: 3.01,
  };
}

/** A PostgreSQL session: three statements (one blocked, one with masked rows) whose text carries markup. */
export async function seedDatabaseSession(store: Store, sessionId: string, startUs: number, subject = 'agent-7'): Promise<void> {
  const ms = 1000;
  const rd = encodeBackendMessage({ kind: 'RowDescription', fields: [field('email'), field('name')] });
  const row = (a: string, b: string) => encodeBackendMessage({ kind: 'DataRow', values: [Buffer.from(a), Buffer.from(b)] });
  await store.insert('frames', [
    frame(sessionId, 0, startUs, 'session.start', 'GATEWAY', '{}'),
    frame(sessionId, 1, startUs + 10 * ms, 'db.query', 'CLIENT_TO_GATEWAY', 'SELECT email, name FROM customers LIMIT 2'),
    frame(sessionId, 2, startUs + 12 * ms, 'db.describe', 'GATEWAY_TO_CLIENT', rd),
    frame(sessionId, 3, startUs + 13 * ms, 'db.row', 'GATEWAY_TO_CLIENT', row('j***@example.com', XSS)),
    frame(sessionId, 4, startUs + 13 * ms, 'db.row', 'GATEWAY_TO_CLIENT', row('m***@example.org', 'Mary')),
    frame(sessionId, 5, startUs + 14 * ms, 'mask.applied', 'GATEWAY', '', { decision_action: 'MASK', decision_rule: 'pii/email', decision_ref_seq: 1 }),
    frame(sessionId, 6, startUs + 50 * ms, 'db.query', 'CLIENT_TO_GATEWAY', 'DROP TABLE customers'),
    frame(sessionId, 7, startUs + 51 * ms, 'policy.block', 'GATEWAY', '', { decision_action: 'BLOCK', decision_rule: 'read-only', decision_reason: 'DROP is not allowed', decision_ref_seq: 6 }),
    frame(sessionId, 8, startUs + 90 * ms, 'db.query', 'CLIENT_TO_GATEWAY', `SELECT '${XSS}'`),
  ]);
  const q = (seq: number, offMs: number, statement: string, fields: Row) => ({
    session_id: sessionId, seq, ts: startUs + offMs * ms, subject, connection: 'demo', statement, fingerprint: `fp${seq}`, duration_us: 1500, rows: 0,
    outcome: 'ok', error: '', guardrail_action: 'ALLOW', guardrail_rule: '', masking: [], ...fields,
  });
  await store.insert('queries', [
    q(1, 10, 'SELECT email, name FROM customers LIMIT 2', { rows: 2, masking: ['email'] }),
    q(6, 50, 'DROP TABLE customers', { outcome: 'blocked', guardrail_action: 'BLOCK', guardrail_rule: 'read-only' }),
    q(8, 90, `SELECT '${XSS}'`, { rows: 1 }),
  ]);
  await store.insert('sessions', [sessionRow(sessionId, startUs, { subject, frames: 9, queries: 3, blocked: 1 })]);
}

function field(name: string) {
  return { name, tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 };
}

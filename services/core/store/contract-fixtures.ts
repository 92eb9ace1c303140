/** Rows and values the Store contract writes. Times are "now", inside the frames TTL. */
import { expect } from 'vitest';
import { isTollgateError, type ErrorCode } from '../errors.js';

/** Rejects with a TollgateError carrying `code`. */
export async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  const err: unknown = await p.then(() => undefined, (e: unknown) => e);
  expect(isTollgateError(err) ? err.code : err).toBe(code);
}

/** Strings that break naive quoting, escaping or placeholder substitution. */
export const hostileStrings: readonly string[] = [
  "'",
  "''",
  '\\',
  "\\'",
  '{x:String}',
  '{v:String}',
  "'; DROP TABLE frames; --",
  "') OR 1=1 --",
  '"`',
  '\t\n\r\0',
  '/* */ -- #',
  '$$ $tag$',
  'Grüße, 東京, 🦀, \u202e',
  'x'.repeat(100_000),
];

const nowMicros = (): number => Date.now() * 1000;

/** A frame row with every column set, for session `id` at `seq`. */
export function frameRow(id: string, seq: number): Record<string, unknown> {
  return {
    session_id: id,
    seq,
    ts: nowMicros() + seq,
    protocol: 'POSTGRES',
    direction: 'CLIENT_TO_GATEWAY',
    event_type: 'db.query',
    event_code: 2001,
    message_type: 'Query',
    channel: seq % 2 === 0 ? null : seq,
    payload: `SELECT 'é\t${seq}' -- ✓`,
    masked_inline: seq % 2 === 0,
    truncated: false,
    original_length: 30,
    decision_action: '',
    decision_rule: '',
    decision_reason: '',
    decision_subject: '',
    decision_ref_seq: null,
    log_partition: 0,
    log_offset: BigInt(seq),
  };
}

/** Three rows for `table`, whose key column starts with `id`. */
export function sampleRows(table: string, id: string): Record<string, unknown>[] {
  return [0, 1, 2].map((i) => sampleRow(table, id, i));
}

function sampleRow(table: string, id: string, i: number): Record<string, unknown> {
  const ts = nowMicros() + i;
  switch (table) {
    case 'frames':
      return frameRow(id, i);
    case 'sessions':
      return {
        session_id: `${id}-${i}`, version: 1, started_at: ts, ended_at: i === 0 ? null : ts + 5_000_000,
        subject: 'alice@example.com', issuer: 'https://issuer.example', groups: ['dba', "o'neil\\", ''], roles: ['read-only'],
        grant: 'dba/prod', connection: 'prod-pg', protocol: 'POSTGRES', target_host: 'db.internal', target_port: 5432,
        target_database: 'app', target_user: 'tollgate', client_address: '10.0.0.7:51234', gateway_node: 'gw-1',
        recording_policy: 'STRICT', guardrails: ['read-only'], masking_profiles: ['pii'], bytes_from_client: 10n,
        bytes_to_client: 2048, frames: 12, queries: 3, commands: 0, blocked: 1, alerts: 0, outcome: 'ended',
        end_reason: 'client_closed', error: '',
      };
    case 'queries':
      return {
        session_id: id, seq: i, ts, subject: 'alice@example.com', connection: 'prod-pg',
        statement: `SELECT * FROM customers WHERE email = '***' -- ${i} ✓`, fingerprint: 'abc123', duration_us: 1500,
        rows: 20, outcome: i === 1 ? 'blocked' : 'ok', error: '', guardrail_action: i === 1 ? 'BLOCK' : 'ALLOW',
        guardrail_rule: 'read-only/write', masking: ['email:customers.email', 'card:{x:String}'],
      };
    case 'commands':
      return {
        session_id: id, seq: i, ts, subject: 'ci@github', connection: 'build-host', protocol: 'SSH', kind: 'shell-line',
        command: `rm -rf /tmp/x; echo "ok" \\ ${i}`, exit_status: i === 2 ? null : i, outcome: 'ok', decision_action: 'ALLOW',
        decision_rule: '',
      };
    case 'alerts':
      return {
        alert_id: `${id}-${i}`, rule_id: 'mass-export', severity: 'HIGH', title: 'Large result set', subject: 'alice',
        session_id: id, seq: i === 0 ? null : i, ts, details_json: JSON.stringify({ rows: 10_000, note: 'quote " and \\' }),
      };
    case 'dead_letters':
      return { topic: `${id}-tollgate.frames.v1`, log_partition: 3, log_offset: i, reason: 'decode failed', raw: '\u0000\u0001garbage', ts };
    default:
      throw new Error(`no sample rows for ${table}`);
  }
}

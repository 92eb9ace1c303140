import { TollgateError } from '../core/errors.js';
import type { QueryParams } from '../core/store/port.js';
import { WhereClause } from './where-clause.js';

/** Filters of GET /api/sessions; all optional, combined with AND. */
export interface SessionFilter {
  subject?: string;
  connection?: string;
  protocol?: string;
  /** ISO 8601 or epoch ms; sessions started at or after. */
  from?: string;
  /** Sessions started before. */
  to?: string;
  /** Case-insensitive text in any statement or command of the session. */
  text?: string;
  hasAlerts?: boolean;
  limit: number;
  cursor?: string;
}

/** Columns every session listing returns. */
export const SESSION_COLUMNS = `session_id, toUnixTimestamp64Micro(started_at) AS started_us,
  if(isNull(ended_at), NULL, toUnixTimestamp64Micro(assumeNotNull(ended_at))) AS ended_us, subject, issuer, groups, roles,
  connection, protocol, target_host, target_port, target_database, target_user, client_address, gateway_node,
  recording_policy, guardrails, masking_profiles, bytes_from_client, bytes_to_client, frames, queries, commands,
  blocked, alerts, outcome, end_reason, error`;

/** Builds the search: keyset pagination on (started_at, session_id), newest first; values bound. */
export function sessionSearchSql(f: SessionFilter): { sql: string; params: QueryParams } {
  const w = new WhereClause({ limit: f.limit + 1 })
    .when(f.subject, 'subject = {subject:String}', 'subject')
    .when(f.connection, 'connection = {connection:String}', 'connection')
    .when(f.protocol?.toUpperCase(), 'protocol = {protocol:String}', 'protocol')
    .when(f.from === undefined ? undefined : timeParam(f.from, 'from'), "started_at >= fromUnixTimestamp64Micro({fromUs:Int64}, 'UTC')", 'fromUs')
    .when(f.to === undefined ? undefined : timeParam(f.to, 'to'), "started_at < fromUnixTimestamp64Micro({toUs:Int64}, 'UTC')", 'toUs')
    .when(f.hasAlerts === true ? true : undefined, '(alerts > 0 OR session_id IN (SELECT session_id FROM alerts))')
    .when(f.hasAlerts === false ? false : undefined, '(alerts = 0 AND session_id NOT IN (SELECT session_id FROM alerts))')
    .when(f.text === '' ? undefined : f.text, `(session_id IN (SELECT session_id FROM queries WHERE positionCaseInsensitiveUTF8(statement, {text:String}) > 0)
      OR session_id IN (SELECT session_id FROM commands WHERE positionCaseInsensitiveUTF8(command, {text:String}) > 0))`, 'text');
  if (f.cursor !== undefined) {
    const c = decodeCursor(f.cursor);
    w.when(c.us, "(started_at, session_id) < (fromUnixTimestamp64Micro({cursorUs:Int64}, 'UTC'), {cursorId:String})", 'cursorUs').when(c.id, 'true', 'cursorId');
  }
  const sql = `SELECT ${SESSION_COLUMNS} FROM sessions FINAL ${w.toString()}
    ORDER BY started_at DESC, session_id DESC LIMIT {limit:UInt32}`;
  return { sql, params: w.params };
}

/** Opaque cursor naming the last session of a page. */
export function encodeCursor(startedUs: number, id: string): string {
  return Buffer.from(JSON.stringify([startedUs, id])).toString('base64url');
}

function decodeCursor(cursor: string): { us: number; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && Number.isSafeInteger(v[0]) && typeof v[1] === 'string') return { us: v[0], id: v[1] };
  } catch {
    // reported below
  }
  throw new TollgateError('TG_ERR_CONFIG', 'cursor is not one this API returned; start again without it');
}

/** Parses an ISO 8601 time or epoch milliseconds into epoch microseconds. */
export function timeParam(value: string, name: string): number {
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new TollgateError('TG_ERR_CONFIG', `${name}: expected an ISO 8601 time (2026-01-31T12:00:00Z) or epoch milliseconds, got ${JSON.stringify(value.slice(0, 50))}`);
  return Math.round(ms * 1000);
}

/** Epoch microseconds (as the store returns them, a string for Int64) to ISO 8601. */
export function isoFromMicros(us: string | number | null): string | null {
  if (us === null) return null;
  return new Date(Number(us) / 1000).toISOString();
}

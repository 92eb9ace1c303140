import type { Store } from '../../services/core/store/port.js';
import { peerHost } from '../../services/core/peer-address.js';
import type { Fact } from '../projection/rows.js';
import { parseSessionStart, tokenIdOf, type SessionInfo } from '../projection/session-info.js';
import type { RuleEngine } from './engine.js';

interface SessionRowLite {
  session_id: string;
  started_us: string | number;
  subject: string;
  issuer: string;
  connection: string;
  protocol: string;
  client_address: string;
  target_host: string;
  target_database: string;
  target_user: string;
  gateway_node: string;
  grant: string;
}

/**
 * Rebuilds rule state from the store at start (ingest/README.md): every stored session's
 * session.start fact (first-seen sets), then queries, commands and decisions of the longest
 * look-back, re-evaluated in event-time order without raising alerts. Returns the facts replayed.
 */
export async function warmRules(store: Store, engine: RuleEngine, nowMicros: number): Promise<number> {
  const cutoff = nowMicros - engine.lookbackUs;
  const sessions = await store.query<SessionRowLite>(
    `SELECT session_id, toUnixTimestamp64Micro(started_at) AS started_us, subject, issuer, connection, protocol, client_address,
       target_host, target_database, target_user, gateway_node, grant FROM sessions FINAL
     WHERE session_id IN (SELECT session_id FROM frames WHERE event_type = 'session.start')`,
  );
  const fields = new Map<string, Record<string, unknown>>();
  const facts: Fact[] = [];
  const recentStarts = await store.query<{ session_id: string; payload_hex: string }>(
    "SELECT session_id, hex(payload) AS payload_hex FROM frames WHERE event_type = 'session.start' AND ts >= fromUnixTimestamp64Micro({c:Int64})",
    { c: cutoff },
  );
  const tokens = new Map(recentStarts.map((r) => [r.session_id, tokenIdOf(parseSessionStart(Buffer.from(r.payload_hex, 'hex')))]));
  for (const s of sessions) {
    const f: Record<string, unknown> = {
      subject: s.subject, issuer: s.issuer, connection: s.connection, protocol: s.protocol, client_address: s.client_address, client_ip: peerHost(s.client_address),
      target_host: s.target_host, target_database: s.target_database, target_user: s.target_user, gateway_node: s.gateway_node,
      grant: s.grant, session_id: s.session_id, token_id: tokens.get(s.session_id) ?? tokenIdOf({ issuer: s.issuer, subject: s.subject, claimsJson: '{}', tokenExpiresAtMs: null } as SessionInfo),
    };
    fields.set(s.session_id, f);
    facts.push({ kind: 'session.start', sessionId: s.session_id, seq: 0, tsMicros: Number(s.started_us), fields: { ...f, seq: 0 } });
  }
  const since = { c: cutoff };
  // Rows of a batch whose frames are not stored yet (a run died mid-batch) are left out: that
  // batch is redelivered and its facts are evaluated then. Frames are written last.
  const stored = "(session_id, seq) IN (SELECT session_id, seq FROM frames WHERE ts >= fromUnixTimestamp64Micro({c:Int64}))";
  const queries = await store.query<Record<string, unknown>>(`SELECT *, toUnixTimestamp64Micro(ts) AS ts_us FROM queries FINAL WHERE ts >= fromUnixTimestamp64Micro({c:Int64}) AND ${stored}`, since);
  const commands = await store.query<Record<string, unknown>>(`SELECT *, toUnixTimestamp64Micro(ts) AS ts_us FROM commands FINAL WHERE ts >= fromUnixTimestamp64Micro({c:Int64}) AND ${stored}`, since);
  const decisions = await store.query<Record<string, unknown>>(
    `SELECT session_id, seq, toUnixTimestamp64Micro(ts) AS ts_us, decision_action AS action, decision_rule AS rule, decision_reason AS reason,
       event_type, decision_ref_seq AS ref_seq FROM frames WHERE decision_action != '' AND ts >= fromUnixTimestamp64Micro({c:Int64})`,
    since,
  );
  const push = (kind: Fact['kind'], r: Record<string, unknown>, extra: Record<string, unknown> = {}): void => {
    const id = String(r['session_id']);
    const { ts: _ts, ts_us, ...own } = r;
    facts.push({ kind, sessionId: id, seq: Number(r['seq']), tsMicros: Number(ts_us), fields: { ...fields.get(id), ...own, seq: Number(r['seq']), ...extra } });
  };
  for (const r of queries) push('query', { ...r, rows: Number(r['rows']), duration_us: Number(r['duration_us']) });
  for (const r of commands) push('command', r, { command_kind: r['kind'] });
  for (const r of decisions) push('decision', r);
  facts.sort((a, b) => a.tsMicros - b.tsMicros);
  for (const fact of facts) engine.evaluate(fact, false);
  return facts.length;
}

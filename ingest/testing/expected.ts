import type { EventCodec } from '../../services/core/events/codec.js';
import type { AppendRecord } from '../../services/core/log/port.js';
import type { Store } from '../../services/core/store/port.js';
import { maskBatch, newMaskState, type SessionMaskState } from '../masking/at-rest.js';
import type { MaskingPlans } from '../masking/profiles.js';
import { decodeFrames } from '../pipeline/decode.js';
import { ProjectionOutput, Projector } from '../projection/projector.js';
import { parseSessionStart } from '../projection/session-info.js';
import type { CompiledRule } from '../rules/engine.js';
import { RuleEngine } from '../rules/engine.js';

/** Rules whose result does not depend on the order sessions of different partitions are processed in. */
export function orderFree(rules: readonly CompiledRule[]): CompiledRule[] {
  return rules.filter((r) => r.spec.window === undefined && r.spec.firstSeen === undefined && (r.spec.after === undefined || r.spec.after.by === 'session'));
}

/** What an uninterrupted run must leave in every table, computed in memory from the records. */
export function expectedTables(codec: EventCodec, records: readonly AppendRecord[], plans: MaskingPlans, rules: readonly CompiledRule[]) {
  const decoded = decodeFrames(codec, records.map((r, i) => ({ topic: 't', partition: 0, offset: i, key: r.key, value: r.value, timestampMs: 0 })), 0);
  const states = new Map<string, SessionMaskState>();
  maskBatch(decoded.frames, (f) => {
    let s = states.get(f.sessionId);
    if (s === undefined) states.set(f.sessionId, (s = newMaskState(plans.fallback())));
    if (f.eventType === 'session.start') {
      const info = parseSessionStart(f.payload);
      s.plan = plans.planFor(info.connection, info.maskingProfiles);
    }
    return s;
  });
  const projector = new Projector();
  const out = projector.project(decoded.frames, new ProjectionOutput());
  const engine = new RuleEngine(rules);
  const alertIds: string[] = [];
  for (const fact of out.facts) {
    for (const a of engine.evaluate(fact)) {
      alertIds.push(a.alertId);
      projector.session(a.sessionId!).alertIds.add(a.alertId);
    }
  }
  const rows = out.rows();
  return {
    frames: decoded.frames.map((f) => `${f.sessionId}/${f.seq}/${f.payload.toString('hex')}`).sort(),
    dead: decoded.dead.length,
    alertIds: alertIds.sort(),
    queries: rows.queries.map(normalise).sort(byKey),
    commands: rows.commands.map(normalise).sort(byKey),
    sessions: [...projector.sessions.values()].map((s) => normalise(s.row())).sort(byKey),
  };
}

/** What the tables hold, read with FINAL, shaped like expectedTables. */
export async function actualTables(store: Store) {
  const times = (cols: string) => cols.split(',').map((c) => c.trim()).map((c) => `if(isNull(${c}), NULL, toUnixTimestamp64Micro(${c})) AS ${c}`).join(', ');
  const frames = await store.query<{ k: string }>("SELECT concat(session_id, '/', toString(seq), '/', lower(hex(payload))) AS k FROM frames ORDER BY k");
  const dup = await store.query('SELECT session_id, seq, count() AS c FROM frames GROUP BY session_id, seq HAVING c > 1');
  const dead = await store.query<{ n: string }>('SELECT count() AS n FROM dead_letters FINAL');
  const alerts = await store.query<{ alert_id: string }>('SELECT alert_id FROM alerts FINAL ORDER BY alert_id');
  const queries = await store.query('SELECT * EXCEPT ts, ' + times('ts') + ' FROM queries FINAL');
  const commands = await store.query('SELECT * EXCEPT ts, ' + times('ts') + ' FROM commands FINAL');
  const sessions = await store.query('SELECT * EXCEPT (started_at, ended_at), ' + times('started_at, ended_at') + ' FROM sessions FINAL');
  return {
    frames: frames.map((r) => r.k),
    duplicates: dup.length,
    dead: Number(dead[0]?.n ?? 0),
    alertIds: alerts.map((a) => a.alert_id),
    queries: queries.map(normalise).sort(byKey),
    commands: commands.map(normalise).sort(byKey),
    sessions: sessions.map(normalise).sort(byKey),
  };
}

/** Numbers as numbers (the store returns 64-bit ints as strings), keys sorted. */
export function normalise(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row).sort()) {
    const v = (row as Record<string, unknown>)[key];
    out[key] = typeof v === 'string' && /^-?\d+$/.test(v) && key !== 'session_id' ? Number(v) : v;
  }
  return out;
}

function byKey(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = `${String(a['session_id'])}/${String(Number(a['seq'] ?? 0)).padStart(8, '0')}`;
  const kb = `${String(b['session_id'])}/${String(Number(b['seq'] ?? 0)).padStart(8, '0')}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

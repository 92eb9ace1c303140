import { decodeBackendFrame, decodeFrontendFrame } from '../../services/gateway/postgres/protocol/index.js';
import type { StoredFrame } from '../model/stored-frame.js';
import { isFrontendDirection } from '../masking/postgres.js';
import { fingerprintOf } from './fingerprint.js';
import { maskLabelsOf } from './mask-labels.js';
import { rowsOfTag } from './pg-tags.js';
import type { QueryRow } from './rows.js';

/** Where the tracker sends a query row when it is created or changes, and a finished one for the rules. */
export interface QuerySink {
  row(row: QueryRow): void;
  finished(row: QueryRow): void;
}

interface Prepared {
  text: string;
  seq: number;
  ts: number;
  action: string;
  rule: string;
  masking: string[];
  executed: boolean;
}

/** Decisions on a Parse, kept until its Execute (or until the statement is closed). */
const MAX_PREPARED = 1024;

/**
 * Folds one session's PostgreSQL frames into query rows: a row per simple Query and per extended
 * Execute (statement from its Parse through Bind's portal), closed by CommandComplete or
 * ErrorResponse and finished at ReadyForQuery; a blocked Parse that never executed gets its own row.
 * Only seq order is relied on; nothing here reads time except to compute durations.
 */
export class PgQueryTracker {
  private current: QueryRow | undefined;
  private lastEnd = 0;
  private readonly prepared = new Map<string, Prepared>();
  private readonly preparedBySeq = new Map<number, Prepared>();
  private readonly portals = new Map<string, string>();
  /** Rows whose decision may still arrive (refSeq lookup), newest last. */
  private readonly recent = new Map<number, QueryRow>();
  private dataRows = 0;
  count = 0;

  constructor(private readonly base: () => { session_id: string; subject: string; connection: string }) {}

  apply(f: StoredFrame, sink: QuerySink): void {
    if (f.decisionAction !== '') return this.decision(f, sink);
    if (f.truncated && f.messageType !== 'DataRow') return;
    if (f.payload.length < 5) return;
    if (isFrontendDirection(f.direction)) this.frontend(f, sink);
    else this.backend(f, sink);
  }

  /** Emits the open query as it stands (at the end of a batch), so a long statement is visible. */
  flushOpen(sink: QuerySink): void {
    if (this.current !== undefined) sink.row({ ...this.current, masking: [...this.current.masking] });
  }

  private frontend(f: StoredFrame, sink: QuerySink): void {
    // Gateway-written upstream messages (login answers, the probe a block is answered with) are
    // no client statements: the blocked statement's row is the client's own Query or Parse.
    if (f.direction === 'GATEWAY_TO_UPSTREAM') return;
    switch (f.messageType) {
      case 'Query': {
        const m = decodeFrontendFrame(f.payload[0]!, f.payload);
        if (m.kind === 'Query') this.open(f, m.sql, undefined, sink);
        return;
      }
      case 'Parse': {
        const m = decodeFrontendFrame(f.payload[0]!, f.payload);
        if (m.kind !== 'Parse') return;
        const p: Prepared = { text: m.query, seq: f.seq, ts: f.tsMicros, action: '', rule: '', masking: [], executed: false };
        this.prepared.set(m.statement, p);
        this.preparedBySeq.set(f.seq, p);
        if (this.preparedBySeq.size > MAX_PREPARED) this.preparedBySeq.delete(this.preparedBySeq.keys().next().value!);
        return;
      }
      case 'Bind': {
        const m = decodeFrontendFrame(f.payload[0]!, f.payload);
        if (m.kind === 'Bind') this.portals.set(m.portal, m.statement);
        return;
      }
      case 'Execute': {
        const m = decodeFrontendFrame(f.payload[0]!, f.payload);
        if (m.kind !== 'Execute') return;
        const p = this.prepared.get(this.portals.get(m.portal) ?? '');
        if (p !== undefined) p.executed = true;
        this.open(f, p?.text ?? '', p, sink);
        return;
      }
      default:
    }
  }

  private backend(f: StoredFrame, sink: QuerySink): void {
    const q = this.current;
    switch (f.messageType) {
      case 'DataRow':
        // The tag's count wins; rows counted here cover results without one (PortalSuspended).
        if (q !== undefined) this.dataRows++;
        return;
      case 'CommandComplete': {
        if (q === undefined) return;
        const m = decodeBackendFrame(f.payload[0]!, f.payload);
        if (m.kind === 'CommandComplete') q.rows += rowsOfTag(m.tag) || this.dataRows;
        this.dataRows = 0;
        this.lastEnd = f.tsMicros;
        return;
      }
      case 'EmptyQueryResponse':
      case 'PortalSuspended':
        if (q !== undefined) {
          q.rows += this.dataRows;
          this.dataRows = 0;
          this.lastEnd = f.tsMicros;
        }
        return;
      case 'ErrorResponse': {
        const m = decodeBackendFrame(f.payload[0]!, f.payload);
        const message = m.kind === 'ErrorResponse' ? (m.fields.get('M') ?? '') : '';
        const target = q ?? this.unexecutedParse(sink);
        if (target === undefined) return;
        if (target.outcome !== 'blocked') target.outcome = 'error';
        if (target.outcome === 'blocked' && blockAnswer(f.direction, message)) {
          // The server's error on the probe is not what the client saw; the gateway's answer is.
          if (f.direction === 'GATEWAY_TO_CLIENT') target.error = message;
        } else if (target.error === '') target.error = message;
        this.lastEnd = f.tsMicros;
        return;
      }
      case 'ReadyForQuery':
        this.finish(f.tsMicros, sink);
        return;
      default:
    }
  }

  private open(f: StoredFrame, statement: string, p: Prepared | undefined, sink: QuerySink): void {
    this.finish(this.lastEnd, sink);
    const b = this.base();
    this.current = {
      session_id: b.session_id, seq: f.seq, ts: f.tsMicros, subject: b.subject, connection: b.connection, statement,
      fingerprint: fingerprintOf(statement), duration_us: 0, rows: 0, outcome: 'running', error: '',
      guardrail_action: p?.action ?? '', guardrail_rule: p?.rule ?? '', masking: p === undefined ? [] : [...p.masking],
    };
    if (p?.action === 'BLOCK') this.current.outcome = 'blocked';
    this.dataRows = 0;
    this.lastEnd = 0;
    this.count++;
    this.remember(this.current);
  }

  private finish(endTs: number, sink: QuerySink): void {
    const q = this.current;
    if (q === undefined) return;
    this.current = undefined;
    q.rows += this.dataRows;
    this.dataRows = 0;
    if (q.outcome === 'running') q.outcome = 'ok';
    q.duration_us = Math.max(0, (this.lastEnd || endTs) - q.ts);
    this.lastEnd = 0;
    sink.row(q);
    sink.finished(q);
  }

  /** A Parse the server (or the gateway) refused before any Execute: its own row at the Parse's seq. */
  private unexecutedParse(sink: QuerySink): QueryRow | undefined {
    let last: Prepared | undefined;
    for (const p of this.preparedBySeq.values()) last = p;
    if (last === undefined || last.executed) return undefined;
    last.executed = true;
    const b = this.base();
    this.finish(this.lastEnd, sink);
    this.current = {
      session_id: b.session_id, seq: last.seq, ts: last.ts, subject: b.subject, connection: b.connection, statement: last.text,
      fingerprint: fingerprintOf(last.text), duration_us: 0, rows: 0, outcome: last.action === 'BLOCK' ? 'blocked' : 'running', error: '',
      guardrail_action: last.action, guardrail_rule: last.rule, masking: [...last.masking],
    };
    this.count++;
    this.remember(this.current);
    return this.current;
  }

  private decision(f: StoredFrame, sink: QuerySink): void {
    const mask = f.eventType === 'mask.applied' || f.eventType === 'mask.withheld';
    if (f.decisionRefSeq === null) {
      // PostgreSQL gateways before refSeq on masking summarised each result set without one, just
      // before its CommandComplete or ErrorResponse: it goes to the open statement. That is
      // ambiguous with Executes pipelined before one Sync (the last opened row gets it); current
      // gateways name the Query or Execute, and the lookup below attaches it there.
      if (mask && this.current !== undefined) addMasking(this.current.masking, f);
      return;
    }
    const row = this.recent.get(f.decisionRefSeq);
    const prepared = this.preparedBySeq.get(f.decisionRefSeq);
    for (const target of [row, prepared]) {
      if (target === undefined) continue;
      const t = target as { guardrail_action?: string; action?: string; masking: string[] };
      if (mask) addMasking(t.masking, f);
      else if ('guardrail_action' in t) {
        const r = t as QueryRow;
        if (r.guardrail_action !== 'BLOCK') {
          r.guardrail_action = f.decisionAction;
          r.guardrail_rule = f.decisionRule;
        }
        if (f.decisionAction === 'BLOCK') r.outcome = 'blocked';
      } else {
        const p = t as Prepared;
        if (p.action !== 'BLOCK') {
          p.action = f.decisionAction;
          p.rule = f.decisionRule;
        }
      }
    }
    // A decision on a row already finished rewrites it.
    if (row !== undefined && row !== this.current) sink.row(row);
  }

  private remember(row: QueryRow): void {
    this.recent.set(row.seq, row);
    if (this.recent.size > 64) this.recent.delete(this.recent.keys().next().value!);
  }
}

function addMasking(masking: string[], f: StoredFrame): void {
  for (const label of maskLabelsOf(f)) if (!masking.includes(label)) masking.push(label);
}

const PROBE_MARK = 'tollgate_blocked_';

/** An error frame of the gateway's block answer: its own ErrorResponse, or the server's error on the probe. */
function blockAnswer(direction: string, message: string): boolean {
  return direction === 'GATEWAY_TO_CLIENT' || message.includes(PROBE_MARK);
}

import { fingerprintOf } from './fingerprint.js';
import { decidedBy, type Portal, type Prepared } from './pg-statements.js';
import type { QueryRow } from './rows.js';

/** Where the tracker sends a query row when it is created or changes, and a finished one for the rules. */
export interface QuerySink {
  row(row: QueryRow): void;
  finished(row: QueryRow): void;
}

/** A statement row waiting for its result: DataRows so far, and when its last result ended. */
export interface Running {
  row: QueryRow;
  prepared: Prepared | undefined;
  portal: Portal | undefined;
  dataRows: number;
  lastEnd: number;
}

/** Rows already handed to the rules that a late decision may still rewrite. */
const MAX_RECENT = 64;

/**
 * The life of one session's query rows: opened (running), closed when answered, handed to the
 * rules once nothing can change them any more (after that a decision still rewrites the row, but
 * the rules do not see it again). Decisions find them by seq.
 */
export class QueryRows {
  /** Rows not yet handed to the rules, by seq. */
  private readonly open = new Map<number, QueryRow>();
  /** Rows answered, waiting for the next frame that is not the gateway's own answer, oldest first. */
  private awaiting: QueryRow[] = [];
  private readonly recent = new Map<number, QueryRow>();
  count = 0;

  constructor(private readonly base: () => { session_id: string; subject: string; connection: string }) {}

  start(f: { seq: number; tsMicros: number }, statement: string, p: Prepared | undefined, portal: Portal | undefined): Running {
    const b = this.base();
    const d = decidedBy(p, portal);
    const row: QueryRow = {
      session_id: b.session_id, seq: f.seq, ts: f.tsMicros, subject: b.subject, connection: b.connection, statement,
      fingerprint: fingerprintOf(statement), duration_us: 0, rows: 0, outcome: d.action === 'BLOCK' ? 'blocked' : 'running', error: '',
      guardrail_action: d.action, guardrail_rule: d.rule, masking: p === undefined ? [] : [...p.masking],
    };
    this.count++;
    this.open.set(row.seq, row);
    return { row, prepared: p, portal, dataRows: 0, lastEnd: 0 };
  }

  /** A statement's answer arrived at endTs (or it was skipped): the row is final but for late decisions. */
  close(run: Running, endTs: number, sink: QuerySink, outcome?: 'skipped'): void {
    const q = run.row;
    q.rows += run.dataRows;
    run.dataRows = 0;
    if (outcome !== undefined && q.outcome !== 'blocked') q.outcome = outcome;
    if (q.outcome === 'running') q.outcome = 'ok';
    q.duration_us = outcome === undefined ? Math.max(0, endTs - q.ts) : 0;
    sink.row(q);
    this.awaiting.push(q);
  }

  /** A row whose answer cannot be matched (past the pending bound): kept as it stands, for the rules now. */
  untracked(run: Running, sink: QuerySink): void {
    sink.row(run.row);
    this.handOver(run.row, sink);
  }

  /** The answered rows go to the rules: nothing recorded from now on can change them. */
  handOverAnswered(sink: QuerySink): void {
    if (this.awaiting.length === 0) return;
    for (const row of this.awaiting) this.handOver(row, sink);
    this.awaiting = [];
  }

  /** The session ended: every row goes to the rules, the unanswered ones as they stand (`running`). */
  end(sink: QuerySink): void {
    this.handOverAnswered(sink);
    for (const row of [...this.open.values()]) {
      sink.row(row);
      this.handOver(row, sink);
    }
  }

  find(seq: number): QueryRow | undefined {
    return this.open.get(seq) ?? this.recent.get(seq);
  }

  /** Emits the rows not yet handed over as they stand (at the end of a batch), so a long statement is visible. */
  flush(sink: QuerySink): void {
    for (const r of this.open.values()) sink.row({ ...r, masking: [...r.masking] });
  }

  private handOver(row: QueryRow, sink: QuerySink): void {
    this.open.delete(row.seq);
    this.recent.set(row.seq, row);
    if (this.recent.size > MAX_RECENT) this.recent.delete(this.recent.keys().next().value!);
    sink.finished(row);
  }
}

const PROBE_MARK = 'tollgate_blocked_';

/**
 * Records an error on a row. A blocked row keeps `blocked` and shows the gateway's answer (its own
 * ErrorResponse), never the server's error on the probe; `replace` is the gateway's answer after
 * the server's for an unblocked row (a withheld COPY), which wins.
 */
export function setError(row: QueryRow, direction: string, message: string, replace: boolean): void {
  if (row.outcome === 'blocked') {
    if (direction === 'GATEWAY_TO_CLIENT') row.error = message;
    else if (!message.includes(PROBE_MARK) && row.error === '') row.error = message;
    return;
  }
  row.outcome = 'error';
  if (replace || row.error === '') row.error = message;
}

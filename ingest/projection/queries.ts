import type { StoredFrame } from '../model/stored-frame.js';
import { isFrontendDirection } from '../masking/postgres.js';
import { CLIENT_CONTENT, decodeBack, decodeFront, errorOf } from './pg-recorded.js';
import { PendingQueue, type Pending } from './pg-pending.js';
import { addMasking, PgStatements } from './pg-statements.js';
import { rowsOfTag } from './pg-tags.js';
import { QueryRows, setError, type QuerySink, type Running } from './query-rows.js';
import type { QueryRow } from './rows.js';

export type { QuerySink } from './query-rows.js';

/**
 * Folds one session's PostgreSQL frames into query rows: a row per simple Query and per extended
 * Execute (statement from its Parse through Bind's portal); a Parse refused before any Execute gets
 * its own row. The server answers strictly in order, so client messages wait in a FIFO
 * (`PendingQueue`) and each answer closes the message it belongs to: an Execute's row at its own
 * CommandComplete / PortalSuspended / EmptyQueryResponse / ErrorResponse, a simple Query's at its
 * ReadyForQuery. After an error in an extended batch the server skips to Sync: those Executes are
 * `skipped`, a simple Query sent before that Sync included. During COPY FROM STDIN the server ignores
 * Sync (and CopyDone/CopyFail outside it), so those are not queued. A row reaches the rules with the first frame after its answer that is not the
 * gateway's own error answer (no decision on it can come later), or at session end. Only seq order
 * is relied on; time only gives durations.
 */
export class PgQueryTracker {
  private readonly queue = new PendingQueue();
  private readonly statements = new PgStatements();
  private readonly rows: QueryRows;
  /** An ErrorResponse ended the batch before its Sync was seen: the server skips until it. */
  private skipping = false;
  /** Between CopyInResponse and the client's CopyDone/CopyFail: the server ignores Sync. */
  private copyIn = false;
  /** The row the previous backend frame answered, which the gateway's own error may replace. */
  private replaceable: QueryRow | undefined;

  constructor(base: () => { session_id: string; subject: string; connection: string }) {
    this.rows = new QueryRows(base);
  }

  /** Rows opened so far (the sessions row's `queries`). */
  get count(): number {
    return this.rows.count;
  }

  apply(f: StoredFrame, sink: QuerySink): void {
    if (f.decisionAction !== '') return this.decision(f, sink);
    // Gateways record a statement's decisions before its answer, and their own error answer (a
    // block, a withheld COPY) right after the server's: any other frame means answered rows are final.
    if (f.direction !== 'GATEWAY_TO_CLIENT' || f.messageType !== 'ErrorResponse') this.rows.handOverAnswered(sink);
    if (isFrontendDirection(f.direction)) this.frontend(f, sink);
    else this.backend(f, sink);
  }

  /** The session ended: its rows go to the rules, unanswered ones as they stand. */
  end(sink: QuerySink): void {
    this.rows.end(sink);
  }

  /** Emits the rows not yet finished as they stand (at the end of a batch), so a long statement is visible. */
  flushOpen(sink: QuerySink): void {
    this.rows.flush(sink);
  }

  private frontend(f: StoredFrame, sink: QuerySink): void {
    // Gateway-written upstream messages (login answers, the probe a block is answered with) are
    // no client statements: the blocked statement's row is the client's own Query or Parse.
    if (f.direction === 'GATEWAY_TO_UPSTREAM') return;
    const m = CLIENT_CONTENT.has(f.messageType) ? decodeFront(f) : undefined;
    // A message cut at the recording limit still takes its place in the order of answers (without
    // a row); one that cannot be read at all was withheld at rest and is left out, as before.
    if (m === undefined && !f.truncated && CLIENT_CONTENT.has(f.messageType)) return;
    switch (f.messageType) {
      case 'Query':
        return this.pushRun('simple', m?.kind === 'Query' ? this.rows.start(f, m.sql, undefined, undefined) : undefined, sink);
      case 'FunctionCall':
        return this.pushRun('simple', undefined, sink);
      case 'Parse': {
        const p = m?.kind === 'Parse' ? this.statements.parse(f, m.statement, m.query) : undefined;
        if (!this.skipping) this.queue.push({ kind: 'parse', prepared: p });
        return;
      }
      case 'Bind': {
        const portal = m?.kind === 'Bind' ? this.statements.bind(f, m.portal, m.statement) : undefined;
        if (!this.skipping) this.queue.push({ kind: 'bind', portal });
        return;
      }
      case 'Describe':
      case 'Close':
        if (!this.skipping) this.queue.push({ kind: f.messageType === 'Describe' ? 'describe' : 'close' });
        return;
      case 'Execute': {
        const portal = m?.kind === 'Execute' ? this.statements.portal(m.portal) : undefined;
        const p = portal?.prepared;
        if (p !== undefined) p.executed = true;
        return this.pushRun('execute', m?.kind === 'Execute' ? this.rows.start(f, p?.text ?? '', p, portal) : undefined, sink);
      }
      case 'Sync':
        if (this.copyIn) return; // no ReadyForQuery answers it
        this.skipping = false;
        this.queue.push({ kind: 'sync' });
        return;
      case 'CopyDone':
      case 'CopyFail':
        if (this.copyIn) this.copyIn = false;
        else if (!this.skipping) this.queue.push({ kind: 'copyEnd' });
        return;
      default:
    }
  }

  /** Queues an Execute or simple message; one the server skips, or one past the bound, is settled now. */
  private pushRun(kind: 'execute' | 'simple', run: Running | undefined, sink: QuerySink): void {
    if (this.skipping) {
      // Sent after an error of this extended batch: the server discards it (a Query too) unanswered.
      if (run !== undefined) this.rows.close(run, 0, sink, 'skipped');
      return;
    }
    // Past the bound the answers cannot be matched: the row is kept as it stands.
    if (!this.queue.push({ kind, run }) && run !== undefined) this.rows.untracked(run, sink);
  }

  private backend(f: StoredFrame, sink: QuerySink): void {
    const replaceable = this.replaceable;
    this.replaceable = undefined;
    switch (f.messageType) {
      case 'ParseComplete':
        return this.queue.answer('parse');
      case 'BindComplete':
        return this.queue.answer('bind');
      case 'CloseComplete':
        return this.queue.answer('close');
      case 'RowDescription':
      case 'NoData':
        // Inside a simple Query a RowDescription starts a result; after Describe it answers it.
        return this.queue.answer('describe');
      case 'DataRow': {
        const run = this.queue.result(true)?.run;
        if (run !== undefined) run.dataRows++;
        return;
      }
      case 'CommandComplete':
      case 'EmptyQueryResponse':
      case 'PortalSuspended':
        return this.resultEnd(f, sink);
      case 'CopyInResponse':
        this.copyIn = this.queue.copyIn();
        return;
      case 'ErrorResponse':
        this.copyIn = false;
        return this.error(f, replaceable, sink);
      case 'ReadyForQuery':
        return this.ready(f.tsMicros, sink);
      default:
    }
  }

  private resultEnd(f: StoredFrame, sink: QuerySink): void {
    const e = this.queue.result(true);
    const run = e?.run;
    // The tag's count wins; rows counted here cover results without one (PortalSuspended).
    const m = f.messageType === 'CommandComplete' ? decodeBack(f) : undefined;
    const rows = (m?.kind === 'CommandComplete' ? rowsOfTag(m.tag) : 0) || (run?.dataRows ?? 0);
    if (e?.kind === 'execute') this.queue.shift();
    if (run === undefined) return;
    run.row.rows += rows;
    run.dataRows = 0;
    run.lastEnd = f.tsMicros;
    // The gateway may answer the client with its own error instead (COPY output withheld).
    this.replaceable = run.row;
    if (e?.kind === 'execute') this.rows.close(run, f.tsMicros, sink);
  }

  private error(f: StoredFrame, replaceable: QueryRow | undefined, sink: QuerySink): void {
    const { message, fatal } = errorOf(f);
    // The gateway's own answer right after the server's (a block's probe error, a withheld COPY):
    // it is what the client saw, for the statement the server just answered. A masked rewrite of
    // the server's error (maskedInline) is the answer itself.
    if (f.direction === 'GATEWAY_TO_CLIENT' && !f.maskedInline && !fatal && replaceable !== undefined) {
      setError(replaceable, f.direction, message, true);
      sink.row(replaceable);
      return;
    }
    const head = this.queue.head();
    if (head === undefined || head.kind === 'sync') return;
    if (head.kind === 'simple') {
      // A simple Query stops at its error and is answered by ReadyForQuery.
      if (head.run !== undefined) {
        setError(head.run.row, f.direction, message, false);
        head.run.lastEnd = f.tsMicros;
        this.replaceable = head.run.row;
      }
      return;
    }
    this.queue.shift();
    const target = head.kind === 'execute' ? head.run : this.failedStatement(head);
    if (target !== undefined) {
      setError(target.row, f.direction, message, false);
      this.replaceable = target.row;
    }
    this.skipRest(target, f.tsMicros, sink);
  }

  /** The statement whose Parse, Bind, Describe or Close failed: its Execute in this batch, or the Parse's own row. */
  private failedStatement(head: Exclude<Pending, { kind: 'execute' | 'simple' | 'sync' }>): Running | undefined {
    for (const e of this.queue.values()) {
      if (e.kind === 'sync') break;
      if (e.kind !== 'execute' || e.run === undefined) continue;
      if (head.kind === 'parse' ? e.run.prepared === head.prepared : head.kind === 'bind' ? e.run.portal === head.portal : true) return e.run;
    }
    const p = head.kind === 'parse' ? head.prepared : undefined;
    if (p === undefined || p.executed) return undefined;
    p.executed = true;
    return this.rows.start({ seq: p.seq, tsMicros: p.ts }, p.text, p, undefined);
  }

  /** After an error in an extended batch the server skips every message up to Sync. */
  private skipRest(target: Running | undefined, ts: number, sink: QuerySink): void {
    const { skipped, synced } = this.queue.skipToSync();
    if (target !== undefined) this.rows.close(target, ts, sink);
    for (const e of skipped) if ((e.kind === 'execute' || e.kind === 'simple') && e.run !== undefined && e.run !== target) this.rows.close(e.run, 0, sink, 'skipped');
    this.skipping = !synced;
  }

  private ready(ts: number, sink: QuerySink): void {
    for (const e of this.queue.ready()) {
      // An Execute left unanswered means frames are missing (an older recording): it ends here.
      if ((e.kind === 'execute' || e.kind === 'simple') && e.run !== undefined) this.rows.close(e.run, e.run.lastEnd || ts, sink);
    }
    this.skipping = false;
    this.copyIn = false;
    // No gateway answer follows a ReadyForQuery: what it closed is final.
    this.rows.handOverAnswered(sink);
  }

  private decision(f: StoredFrame, sink: QuerySink): void {
    const mask = f.eventType === 'mask.applied' || f.eventType === 'mask.withheld';
    if (f.decisionRefSeq === null) {
      // Gateways before refSeq on masking summarised each result set just before its
      // CommandComplete or ErrorResponse: it belongs to the result arriving now.
      const row = this.queue.result(false)?.run?.row;
      if (mask && row !== undefined) {
        addMasking(row.masking, f);
        if (row.outcome !== 'running') sink.row(row);
      }
      return;
    }
    this.statements.decide(f, mask, f.decisionRefSeq);
    const row = this.rows.find(f.decisionRefSeq);
    if (row === undefined) return;
    if (mask) addMasking(row.masking, f);
    else {
      if (row.guardrail_action !== 'BLOCK') {
        row.guardrail_action = f.decisionAction;
        row.guardrail_rule = f.decisionRule;
      }
      if (f.decisionAction === 'BLOCK') row.outcome = 'blocked';
    }
    // A decision on a row already answered (or, from older gateways, already finished) rewrites it.
    if (row.outcome !== 'running') sink.row(row);
  }
}

import type { Portal, Prepared } from './pg-statements.js';
import type { Running } from './query-rows.js';

/**
 * One client message still owed an answer. `simple` is a Query (with its row) or a FunctionCall
 * (none), answered by everything up to its ReadyForQuery; `execute` by one CommandComplete,
 * EmptyQueryResponse, PortalSuspended or ErrorResponse; `sync` by ReadyForQuery; the others by one
 * message each (or an ErrorResponse). `copyEnd` is the client's CopyDone/CopyFail sent before the
 * server asked for data: nothing answers it, it marks where that copy-in will end.
 */
export type Pending =
  | { readonly kind: 'parse'; readonly prepared: Prepared | undefined }
  | { readonly kind: 'bind'; readonly portal: Portal | undefined }
  | { readonly kind: 'describe' | 'close' }
  | { readonly kind: 'execute'; readonly run: Running | undefined }
  | { readonly kind: 'simple'; readonly run: Running | undefined }
  | { readonly kind: 'sync' }
  | { readonly kind: 'copyEnd' };

/** Unanswered client messages tracked per session (the gateway's ResultOrigins uses the same bound). */
export const MAX_PENDING = 4096;

/**
 * The messages of one session the server has not answered yet, in the order it will answer them.
 * Bounded: a client that piles up more than MAX_PENDING unanswered messages makes the queue
 * "untracked" until the server has answered everything sent meanwhile (counted, not kept), and
 * tracking resumes at the first ReadyForQuery after which nothing untracked is outstanding.
 */
export class PendingQueue {
  private readonly entries: Pending[] = [];
  private untrackedSyncs = 0;
  private untrackedTail = false;
  untracked = false;

  /** Queues a message; false when it is untracked (the bound was reached and nothing queued since). */
  push(e: Pending): boolean {
    if (this.untracked && e.kind === 'copyEnd') return false;
    if (!this.untracked && this.entries.length >= MAX_PENDING) this.untracked = true;
    if (!this.untracked) {
      this.entries.push(e);
      return true;
    }
    const terminal = e.kind === 'sync' || e.kind === 'simple';
    if (terminal) this.untrackedSyncs++;
    this.untrackedTail = !terminal;
    return false;
  }

  /** The oldest message owed an answer (CopyDone/CopyFail markers before it are dropped). */
  head(): Pending | undefined {
    while (this.entries[0]?.kind === 'copyEnd') this.entries.shift();
    return this.entries[0];
  }

  shift(): Pending | undefined {
    this.head();
    return this.entries.shift();
  }

  /** Drops the head when it is of `kind` (ParseComplete answers a parse, and so on). */
  answer(kind: Pending['kind']): void {
    if (this.head()?.kind === kind) this.entries.shift();
  }

  /**
   * CopyInResponse: the server ignores Syncs until the client's CopyDone/CopyFail. When that end
   * was already sent, the Syncs queued before it are dropped and false is returned; else true (the
   * caller queues no Sync until the end comes).
   */
  copyIn(): boolean {
    const end = this.entries.findIndex((e) => e.kind === 'copyEnd');
    if (end < 0) return true;
    const before = this.entries.splice(0, end + 1).filter((e) => e.kind !== 'sync' && e.kind !== 'copyEnd');
    this.entries.unshift(...before);
    return false;
  }

  /**
   * The Execute or simple Query whose result the server is sending: the messages before it were
   * answered already (answers come in order), so `drop` removes them. None when a Sync comes first.
   */
  result(drop: boolean): Extract<Pending, { kind: 'execute' | 'simple' }> | undefined {
    let i = 0;
    for (; i < this.entries.length; i++) {
      const k = this.entries[i]!.kind;
      if (k === 'execute' || k === 'simple' || k === 'sync') break;
    }
    const e = this.entries[i];
    if (drop && i > 0) this.entries.splice(0, i);
    return e?.kind === 'execute' || e?.kind === 'simple' ? e : undefined;
  }

  /** After an error: removes the messages the server now skips (up to the batch's Sync); `synced` tells whether that Sync was queued. */
  skipToSync(): { skipped: Pending[]; synced: boolean } {
    const at = this.entries.findIndex((e) => e.kind === 'sync');
    return { skipped: this.entries.splice(0, at < 0 ? this.entries.length : at), synced: at >= 0 };
  }

  /** ReadyForQuery: removes the messages up to and including the Sync or simple message it answers. */
  ready(): Pending[] {
    const at = this.entries.findIndex((e) => e.kind === 'sync' || e.kind === 'simple');
    if (at >= 0) return this.entries.splice(0, at + 1);
    // Nothing tracked awaits it: it answers an untracked Sync (or a login).
    if (this.untrackedSyncs > 0) this.untrackedSyncs--;
    if (this.untracked && this.untrackedSyncs === 0 && !this.untrackedTail) this.untracked = false;
    return this.entries.splice(0);
  }

  values(): readonly Pending[] {
    return this.entries;
  }
}

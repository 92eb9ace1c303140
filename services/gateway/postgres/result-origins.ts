/**
 * What the PostgreSQL server will answer, in protocol order, and so which client message started
 * the result being received: the `refSeq` of masking decisions (with pipelined Executes before one
 * Sync, "the open statement" is ambiguous for a reader of the log), and how many ReadyForQuery the
 * session still awaits (the relay's busy/idle bookkeeping). Pure.
 *
 * - a simple Query (or FunctionCall, or a block probe in their place) starts every result up to
 *   its ReadyForQuery (a multi-statement Query has several);
 * - an Execute starts exactly one result, ended by CommandComplete, PortalSuspended,
 *   EmptyQueryResponse or ErrorResponse; Parse, Bind, Describe and Close get one answer each;
 * - a Sync is answered by ReadyForQuery.
 *
 * Messages the server ignores are never queued, or a later answer would be matched to them:
 * after an extended-protocol error it ignores everything until the next Sync (a simple Query or
 * FunctionCall included: no answer, no ReadyForQuery); during COPY FROM STDIN (CopyInResponse until
 * the client's CopyDone/CopyFail) it ignores Sync; outside copy-in it ignores CopyDone/CopyFail.
 * The same model as `result-masking.ts`.
 */
export class ResultOrigins {
  private queue: { readonly kind: Kind; readonly seq: number }[] = [];
  /** Set for good when a client queued more than MAX_ORIGINS unanswered messages: origins are unknown from then on. */
  private overflow = false;
  /** After an extended-protocol error, until the client's next Sync: the server ignores every message. */
  private skipping = false;
  /** Between CopyInResponse and the client's CopyDone/CopyFail: the server ignores Sync. */
  private copyIn = false;
  /** Queued Queries, FunctionCalls and Syncs: the ReadyForQuery messages still to come. */
  readies = 0;

  /** A Query or FunctionCall forwarded (or answered by a probe), recorded at seq. */
  simple(seq: number): void {
    this.push('simple', seq);
  }

  /** An Execute forwarded, recorded at seq. */
  execute(seq: number): void {
    this.push('execute', seq);
  }

  /** A Parse, Bind, Describe or Close forwarded (or a Describe probe in its place). */
  extended(): void {
    this.push('minor', 0);
  }

  sync(seq: number): void {
    if (this.copyIn) return; // ignored by a server in copy-in mode: it gets no ReadyForQuery
    this.skipping = false;
    this.push('sync', seq);
  }

  /** The client's CopyDone or CopyFail. Sent before the server asked for data, it marks where copy-in will end. */
  copyEnd(): void {
    if (this.copyIn) this.copyIn = false;
    else this.push('copyEnd', 0);
  }

  /** The seq of the message whose result is being received, or null when none is known. */
  get current(): number | null {
    const head = this.settled();
    return this.overflow || head === undefined || head.kind === 'sync' ? null : head.seq;
  }

  /** Tracks one upstream message other than ErrorResponse and ReadyForQuery. */
  answer(kind: string): void {
    switch (kind) {
      case 'ParseComplete':
      case 'BindComplete':
      case 'CloseComplete':
      case 'NoData':
      case 'RowDescription': // answers a Describe; inside a Query's result it answers nothing queued
        if (this.settled()?.kind === 'minor') this.queue.shift();
        return;
      case 'CommandComplete':
      case 'PortalSuspended':
      case 'EmptyQueryResponse':
        while (this.settled()?.kind === 'minor') this.queue.shift(); // a later answer implies them
        if (this.queue[0]?.kind === 'execute') this.queue.shift();
        return;
      case 'CopyInResponse':
        return this.copyInStarted();
      default:
    }
  }

  /** ErrorResponse: an extended message failed, so the server skips to the next Sync (a simple Query's error is followed by its ReadyForQuery). */
  error(): void {
    this.copyIn = false;
    const head = this.settled();
    // Nothing queued (an asynchronous error): no reason to believe the server skips anything.
    if (head === undefined || head.kind === 'simple' || head.kind === 'sync') return;
    let n = 0;
    for (; n < this.queue.length && this.queue[n]!.kind !== 'sync'; n++) if (this.queue[n]!.kind === 'simple') this.readies--;
    if (n === this.queue.length) this.skipping = true;
    this.queue.splice(0, n);
  }

  /** ReadyForQuery: the oldest simple message or Sync is answered, with what it left unanswered. */
  ready(): void {
    this.copyIn = false;
    if (this.readies > 0) this.readies--;
    const at = this.queue.findIndex((e) => e.kind === 'sync' || e.kind === 'simple');
    this.queue.splice(0, at < 0 ? this.queue.length : at + 1);
  }

  /** CopyInResponse: Syncs the client pipelined before its CopyDone/CopyFail are ignored; later ones are not queued. */
  private copyInStarted(): void {
    const end = this.queue.findIndex((e) => e.kind === 'copyEnd');
    if (end < 0) {
      this.copyIn = true;
      return;
    }
    const ignored = this.queue.slice(0, end).filter((e) => e.kind === 'sync').length;
    this.readies -= ignored;
    this.queue = [...this.queue.slice(0, end).filter((e) => e.kind !== 'sync'), ...this.queue.slice(end + 1)];
  }

  /** The head once CopyDone/CopyFail markers before it are dropped (nothing answers them). */
  private settled(): { readonly kind: Kind; readonly seq: number } | undefined {
    while (this.queue[0]?.kind === 'copyEnd') this.queue.shift();
    return this.queue[0];
  }

  private push(kind: Kind, seq: number): void {
    if (this.skipping) return;
    if (kind === 'simple' || kind === 'sync') this.readies++;
    // Bound what a client can pile up. Past the bound the order is lost, so decisions carry no
    // refSeq (ingest then goes by order) and readies is a plain count of Queries and Syncs.
    if (this.overflow) return;
    if (this.queue.length >= MAX_ORIGINS) {
      this.overflow = true;
      this.queue.length = 0;
    } else this.queue.push({ kind, seq });
  }
}

type Kind = 'minor' | 'execute' | 'simple' | 'sync' | 'copyEnd';

/** Messages awaiting answers beyond which origins are no longer tracked (decisions then carry no refSeq). */
const MAX_ORIGINS = 4096;

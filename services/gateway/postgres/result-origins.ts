/**
 * Which client message started the result the upstream is sending now, so a masking decision can
 * name it (`refSeq`) instead of relying on order: with pipelined Executes before one Sync, "the
 * open statement" is ambiguous for a reader of the log. Pure, in protocol order:
 *
 * - a simple Query (or FunctionCall, or a block probe in their place) starts every result up to
 *   its ReadyForQuery (a multi-statement Query has several);
 * - an Execute starts exactly one result, ended by CommandComplete, PortalSuspended,
 *   EmptyQueryResponse or ErrorResponse;
 * - a Sync ends an extended batch at its ReadyForQuery. After an error the server discards the
 *   batch's remaining Executes, so ReadyForQuery drops every entry up to and including the Sync.
 */
export class ResultOrigins {
  private readonly queue: { readonly kind: 'simple' | 'execute' | 'sync'; readonly seq: number }[] = [];
  /** Set for good when a client queued more than MAX_ORIGINS unanswered messages: origins are unknown from then on. */
  private overflow = false;

  /** A Query or FunctionCall forwarded (or answered by a probe), recorded at seq. */
  simple(seq: number): void {
    this.push('simple', seq);
  }

  /** An Execute forwarded, recorded at seq. */
  execute(seq: number): void {
    this.push('execute', seq);
  }

  sync(seq: number): void {
    this.push('sync', seq);
  }

  /** The seq of the message whose result is being received, or null when none is known. */
  get current(): number | null {
    const head = this.queue[0];
    return this.overflow || head === undefined || head.kind === 'sync' ? null : head.seq;
  }

  /** A result ended (CommandComplete, PortalSuspended, EmptyQueryResponse, ErrorResponse). */
  resultEnd(): void {
    if (this.queue[0]?.kind === 'execute') this.queue.shift();
  }

  /** ReadyForQuery: the oldest simple message or Sync is answered, with what it left unanswered. */
  ready(): void {
    const at = this.queue.findIndex((e) => e.kind !== 'execute');
    this.queue.splice(0, at < 0 ? this.queue.length : at + 1);
  }

  private push(kind: 'simple' | 'execute' | 'sync', seq: number): void {
    // Executes the server discards after an error stay queued until Sync: bound what a client can
    // pile up. Past the bound the order is lost, so decisions carry no refSeq (ingest then goes by order).
    if (this.overflow) return;
    if (this.queue.length >= MAX_ORIGINS) {
      this.overflow = true;
      this.queue.length = 0;
    } else this.queue.push({ kind, seq });
  }
}

/** Messages awaiting results beyond which origins are no longer tracked (decisions then carry no refSeq). */
const MAX_ORIGINS = 4096;

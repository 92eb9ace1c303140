/**
 * High-water marks (last seq folded) of sessions the pipeline evicted from memory (ended, or beyond
 * the open-session limit), kept in a bounded map, least recently set first out. A frame of an
 * evicted session at or below its mark is a repeat the recorder delivered again (a late append
 * after a timeout, a spool replayed after a crash, at new log offsets): it is neither folded nor
 * stored. A session no longer here falls back to the store (`rebuild.ts` folds its stored frames,
 * so repeats are caught there).
 */
export class EvictedSessions {
  private readonly marks = new Map<string, number>();

  constructor(readonly limit = 200_000) {}

  /** Records the last seq folded of a session leaving memory. */
  set(sessionId: string, lastSeq: number): void {
    this.marks.delete(sessionId);
    this.marks.set(sessionId, lastSeq);
    if (this.marks.size > this.limit) {
      const oldest = this.marks.keys().next();
      if (oldest.done !== true) this.marks.delete(oldest.value);
    }
  }

  /** The mark of an evicted session, if still kept. */
  get(sessionId: string): number | undefined {
    return this.marks.get(sessionId);
  }

  /** Forgets a session's mark (its folded state turned out not to be written). */
  delete(sessionId: string): void {
    this.marks.delete(sessionId);
  }

  get size(): number {
    return this.marks.size;
  }
}

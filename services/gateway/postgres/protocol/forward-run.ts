/**
 * Joins raw frames that sit next to each other in memory into one view, so a session that forwards
 * 1000 untouched DataRows from one socket chunk issues one write instead of 1000. Frames decoded from
 * the same chunk are adjacent; a copied (straddling) or re-encoded frame starts a new run.
 */
export class ForwardRun {
  private first: Buffer | undefined;
  private end = 0;

  /** Adds a frame to forward; returns the finished previous run when `raw` does not continue it. */
  add(raw: Buffer): Buffer | undefined {
    const first = this.first;
    if (first !== undefined && raw.buffer === first.buffer && raw.byteOffset === this.end) {
      this.end += raw.length;
      return undefined;
    }
    const finished = this.flush();
    this.first = raw;
    this.end = raw.byteOffset + raw.length;
    return finished;
  }

  /** Returns the run collected so far (if any) and starts empty. */
  flush(): Buffer | undefined {
    const first = this.first;
    if (first === undefined) return undefined;
    this.first = undefined;
    const length = this.end - first.byteOffset;
    return length === first.length ? first : Buffer.from(first.buffer, first.byteOffset, length);
  }
}

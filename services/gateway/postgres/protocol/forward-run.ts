import { DataRowView } from './backend-results.js';
import { CopyDataView } from './copy.js';

/**
 * Joins frames that sit next to each other in memory into one view, so a session that forwards 1000
 * untouched DataRows from one socket chunk issues one write instead of 1000. Frames decoded from the
 * same chunk are adjacent; a copied (straddling) or re-encoded frame starts a new run.
 */
export class ForwardRun {
  private memory: ArrayBufferLike | undefined;
  private runStart = 0;
  private runEnd = 0;
  // The common case is the next frame of the same chunk: compare the Buffer object and a relative
  // offset first, skipping the typed-array getters.
  private lastSource: Buffer | undefined;
  private lastEnd = 0;

  /** Adds a decoded message to forward unchanged; returns the finished previous run when it does not continue it. */
  addMessage(msg: { readonly raw: Buffer }): Buffer | undefined {
    // Views know where they lie without materialising `raw`: keep it that way.
    if (msg instanceof DataRowView || msg instanceof CopyDataView) return this.addRange(msg.source, msg.start, msg.end);
    return this.addRange(msg.raw, 0, msg.raw.length);
  }

  /** Adds bytes `source[start, end)`; returns the finished previous run when they do not continue it. */
  addRange(source: Buffer, start: number, end: number): Buffer | undefined {
    if (source === this.lastSource && start === this.lastEnd && this.memory !== undefined) {
      this.runEnd += end - start;
      this.lastEnd = end;
      return undefined;
    }
    this.lastSource = source;
    this.lastEnd = end;
    const absStart = source.byteOffset + start;
    if (this.memory === source.buffer && absStart === this.runEnd) {
      this.runEnd += end - start;
      return undefined;
    }
    const finished = this.flush();
    this.memory = source.buffer;
    this.runStart = absStart;
    this.runEnd = source.byteOffset + end;
    return finished;
  }

  /** Returns the run collected so far (if any) and starts empty. */
  flush(): Buffer | undefined {
    const memory = this.memory;
    if (memory === undefined) return undefined;
    this.memory = undefined;
    this.lastSource = undefined;
    return Buffer.from(memory, this.runStart, this.runEnd - this.runStart);
  }
}

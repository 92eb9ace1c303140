import { ForwardRun } from './protocol/index.js';

/**
 * Bytes waiting to be written to one peer, in order. Messages forwarded unchanged join a
 * ForwardRun (adjacent frames of one socket chunk become one write); a message the gateway wrote
 * closes the run first so order is kept. The adapter drains it once per processed chunk.
 */
export class Outbox {
  private readonly run = new ForwardRun();
  private pending: Buffer[] = [];
  bytes = 0;

  /** Queues a decoded message to forward as it arrived. */
  forward(msg: { readonly raw: Buffer }): void {
    const done = this.run.addMessage(msg);
    if (done !== undefined) this.pending.push(done);
  }

  /** Queues bytes the gateway wrote. */
  write(bytes: Buffer): void {
    const done = this.run.flush();
    if (done !== undefined) this.pending.push(done);
    this.pending.push(bytes);
  }

  /** Everything queued so far, oldest first; the outbox is empty afterwards. */
  drain(): Buffer[] {
    const done = this.run.flush();
    if (done !== undefined) this.pending.push(done);
    const out = this.pending;
    this.pending = [];
    for (const b of out) this.bytes += b.length;
    return out;
  }
}

import type { Readable, Writable } from 'node:stream';
import type { RecordingSink } from '../../core/recording/sink.js';

/**
 * Flow control for one relayed stream: the source pauses while the destination's buffer is full
 * or the recording sink is over its bound, and resumes only when every reason has cleared. SSH
 * turns a paused channel into a withheld window adjustment, so the peer itself slows down.
 */
export class FlowGate {
  private reasons = 0;

  constructor(private readonly source: Readable, private readonly sink: RecordingSink) {}

  /** Writes a chunk and pauses the source if the destination or the recording needs time. */
  write(dst: Writable, chunk: Buffer): void {
    if (!dst.write(chunk)) this.hold(new Promise((resolve) => dst.once('drain', resolve)));
    if (this.sink.overloaded) this.hold(this.sink.ready());
  }

  private hold(until: Promise<unknown>): void {
    if (this.reasons++ === 0) this.source.pause();
    void until.then(() => {
      if (--this.reasons === 0) this.source.resume();
    });
  }
}

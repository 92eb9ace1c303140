/** Wall time per pipeline stage, summed over batches (ms), and batch counts; benchmarks print it. */
export type StageTimes = Map<string, number>;

/** Measures consecutive stages of one batch into a StageTimes map; a no-op without one. */
export class StageClock {
  private last = 0;

  constructor(private readonly times: StageTimes | undefined) {
    if (times !== undefined) this.last = performance.now();
  }

  /** Adds the time since the previous lap (or the start) to `stage`. */
  lap(stage: string): void {
    if (this.times === undefined) return;
    const now = performance.now();
    this.times.set(stage, (this.times.get(stage) ?? 0) + now - this.last);
    this.last = now;
  }
}

import { randomUUID } from 'node:crypto';

/** Time source, injected so tests are deterministic. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  /** Microseconds since the epoch; frames carry µs timestamps. */
  nowMicros(): bigint;
}

const hrtimeOriginNs = process.hrtime.bigint();
const wallOriginUs = BigInt(Date.now()) * 1000n;

/** Wall clock anchored once, then advanced by the monotonic clock so µs stamps never go backwards. */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  nowMicros: () => wallOriginUs + (process.hrtime.bigint() - hrtimeOriginNs) / 1000n,
};

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private micros: bigint;
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.micros = BigInt(startMs) * 1000n;
  }
  nowMs(): number {
    return Number(this.micros / 1000n);
  }
  nowMicros(): bigint {
    return this.micros;
  }
  advanceMs(ms: number): void {
    this.micros += BigInt(Math.round(ms * 1000));
  }
}

/** Id source, injected so tests are deterministic. */
export interface IdGenerator {
  sessionId(): string;
}

export const randomIds: IdGenerator = { sessionId: () => randomUUID() };

export function sequentialIds(prefix = 'session'): IdGenerator {
  let n = 0;
  return { sessionId: () => `${prefix}-${String(++n).padStart(6, '0')}` };
}

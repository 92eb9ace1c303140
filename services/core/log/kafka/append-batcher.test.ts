import fc from 'fast-check';
import type { TopicMessages } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import { AppendBatcher, type BatcherLimits } from './append-batcher.js';
import { toKafkaMessages } from './records.js';

const limits: BatcherLimits = { lingerMs: 0, maxRequestBytes: 1024, maxPendingBytes: 64 * 1024 };

/** A send() that records requests and can be held open or made to fail. */
class FakeBroker {
  readonly requests: TopicMessages[][] = [];
  inFlight = 0;
  maxInFlight = 0;
  failRequest: number | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => { this.openGate = resolve; });
  }
  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  readonly send = async (request: TopicMessages[]): Promise<void> => {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      const index = this.requests.length;
      this.requests.push(request);
      if (index === this.failRequest) throw new Error(`request ${index} refused`);
    } finally {
      this.inFlight--;
    }
  };

  /** Every message value sent, in wire order, as text. */
  values(): string[] {
    return this.requests.flatMap((r) => r.flatMap((t) => t.messages.map((m) => (m.value as Buffer).toString())));
  }
}

function encode(values: readonly string[], key = 'k'): ReturnType<typeof toKafkaMessages> {
  return toKafkaMessages('t', values.map((v) => ({ key, value: Buffer.from(v) })), 1 << 20, 0);
}

describe('AppendBatcher', () => {
  it('coalesces appends made in the same tick into one request, in call order', async () => {
    const broker = new FakeBroker();
    const batcher = new AppendBatcher(broker.send, { ...limits, lingerMs: 5 });
    await Promise.all([batcher.enqueue('t', encode(['a1', 'a2'])), batcher.enqueue('t', encode(['b1']))]);
    expect(broker.requests).toHaveLength(1);
    expect(broker.values()).toEqual(['a1', 'a2', 'b1']);
  });

  it('splits an append larger than a request into ordered requests and resolves after the last', async () => {
    const broker = new FakeBroker();
    const batcher = new AppendBatcher(broker.send, limits);
    const values = Array.from({ length: 50 }, (_, i) => `${i}`.padStart(100, '0'));
    await batcher.enqueue('t', encode(values));
    expect(broker.requests.length).toBeGreaterThan(1);
    expect(broker.values()).toEqual(values);
  });

  it('keeps one request in flight; appends made meanwhile go in the next one', async () => {
    const broker = new FakeBroker();
    const batcher = new AppendBatcher(broker.send, limits);
    broker.hold();
    const first = batcher.enqueue('t', encode(['first']));
    const later = [batcher.enqueue('t', encode(['second'])), batcher.enqueue('t', encode(['third']))];
    await new Promise((r) => setTimeout(r, 10));
    broker.release();
    await Promise.all([first, ...later]);
    expect(broker.maxInFlight).toBe(1);
    expect(broker.requests).toHaveLength(2);
    expect(broker.values()).toEqual(['first', 'second', 'third']);
  });

  it('on a failed request: earlier appends resolve, later ones reject, later requests are not sent', async () => {
    const broker = new FakeBroker();
    broker.failRequest = 1;
    const batcher = new AppendBatcher(broker.send, { ...limits, lingerMs: 50 });
    const values = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}`.padEnd(200, '.'));
    // Requests of <= 1024 bytes (203 per record): [a0-a3 b c0] [c1-c5] [c6 c7] then [d0].
    const results = await Promise.allSettled([
      batcher.enqueue('t', encode(values('a', 4))),
      batcher.enqueue('t', encode(['b'])),
      batcher.enqueue('t', encode(values('c', 8))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(broker.requests).toHaveLength(2);
    await batcher.enqueue('t', encode(['after'])); // the batcher keeps working
    expect(broker.values().at(-1)).toBe('after');
  });

  it('refuses with TG_ERR_LOG_BACKPRESSURE beyond maxPendingBytes instead of buffering without bound', async () => {
    const broker = new FakeBroker();
    const batcher = new AppendBatcher(broker.send, { ...limits, maxPendingBytes: 2048 });
    broker.hold();
    const inFlight = batcher.enqueue('t', encode([''.padEnd(1500, 'x')]));
    const refused = batcher.enqueue('t', encode([''.padEnd(1000, 'y')]));
    await expect(refused).rejects.toSatisfy((e: unknown) => isTollgateError(e, 'TG_ERR_LOG_BACKPRESSURE'));
    broker.release();
    await inFlight;
    await batcher.enqueue('t', encode([''.padEnd(5000, 'z')])); // alone, even an oversized append goes
    expect(broker.values().map((v) => v[0])).toEqual(['x', 'z']);
  });

  it('drain() waits for queued and in-flight appends', async () => {
    const broker = new FakeBroker();
    const batcher = new AppendBatcher(broker.send, { ...limits, lingerMs: 1000 });
    const pending = batcher.enqueue('t', encode(['queued']));
    await batcher.drain();
    await pending;
    expect(broker.values()).toEqual(['queued']);
  });

  it('property: whatever the sizes, the wire order is the append order and requests respect the limit', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 400, max: 2000 }),
      async (appends, maxRequestBytes) => {
        const broker = new FakeBroker();
        const batcher = new AppendBatcher(broker.send, { lingerMs: 0, maxRequestBytes, maxPendingBytes: 1 << 30 });
        let n = 0;
        const expected: string[] = [];
        const calls = appends.map((sizes) => {
          const values = sizes.map((size) => `${n++}:`.padEnd(size + 6, '.'));
          expected.push(...values);
          return batcher.enqueue('t', encode(values, ''));
        });
        await Promise.all(calls);
        expect(broker.values()).toEqual(expected);
        for (const request of broker.requests) {
          const bytes = request.flatMap((t) => t.messages).reduce((sum, m) => sum + (m.value as Buffer).length, 0);
          const single = request.flatMap((t) => t.messages).length === 1;
          expect(single || bytes <= maxRequestBytes).toBe(true);
        }
      }), { numRuns: 60 });
  });
});

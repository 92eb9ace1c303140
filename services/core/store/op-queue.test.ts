import { describe, expect, it } from 'vitest';
import { OpQueue } from './op-queue.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('OpQueue', () => {
  it('never runs more than its limit at once and runs everything in call order', async () => {
    const queue = new OpQueue(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        queue.run(async () => {
          started.push(i);
          peak = Math.max(peak, ++running);
          await tick();
          running--;
          if (i === 3) throw new Error('op 3 failed');
          return i;
        }).catch((e: unknown) => (e as Error).message),
      ),
    );
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results).toEqual([0, 1, 2, 'op 3 failed', 4, 5]);
  });

  it('idle() waits for running and queued operations', async () => {
    const queue = new OpQueue(1);
    let done = 0;
    for (let i = 0; i < 3; i++) void queue.run(async () => { await tick(); done++; });
    await queue.idle();
    expect(done).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { CancelKeys } from './cancel-keys.js';

describe('cancel keys', () => {
  it('cancels only with the exact key, and not after release', () => {
    const keys = new CancelKeys();
    let cancelled = 0;
    const { processId, secretKey } = keys.issue(() => cancelled++);
    const wrong = Buffer.from(secretKey);
    wrong[0] = (wrong[0] ?? 0) ^ 1;
    expect(keys.cancel(processId, wrong)).toBe(false);
    expect(keys.cancel(processId, Buffer.concat([secretKey, Buffer.from([0])]))).toBe(false);
    expect(keys.cancel(processId + 1, secretKey)).toBe(false);
    expect(keys.cancel(processId, secretKey)).toBe(true);
    expect(cancelled).toBe(1);
    keys.release(processId);
    expect(keys.cancel(processId, secretKey)).toBe(false);
    expect(keys.size).toBe(0);
  });

  it('issues distinct process ids', () => {
    const keys = new CancelKeys();
    const ids = new Set(Array.from({ length: 500 }, () => keys.issue(() => undefined).processId));
    expect(ids.size).toBe(500);
  });
});

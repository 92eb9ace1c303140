import { describe, expect, it } from 'vitest';
import { parseTransactionLog, percentiles } from './pgbench.js';

describe('parseTransactionLog', () => {
  it('reads the latency (third field, µs) of each transaction line', () => {
    const out: number[] = [];
    parseTransactionLog('0 0 180 0 1764466000 123456\n0 1 95 0 1764466000 223456\n1 0 1200 0 1764466000 323456\n', out);
    expect(out).toEqual([180, 95, 1200]);
  });

  it('skips failed transactions, garbage and a truncated last line', () => {
    const out: number[] = [];
    parseTransactionLog('0 0 failed 0 1764466000 1\nnot a log line\n\n0 1 250 0 1764466000 2\n3 9 7', out);
    expect(out).toEqual([250]);
  });

  it('accepts lines with the optional trailing fields and no final newline', () => {
    const out: number[] = [];
    parseTransactionLog('2 5 310 0 1764466000 42 17 0', out);
    expect(out).toEqual([310]);
  });
});

describe('percentiles', () => {
  it('is zero for no samples', () => {
    expect(percentiles(new Float64Array())).toEqual({ p50Ms: 0, p99Ms: 0, meanMs: 0 });
  });

  it('orders p50 ≤ p99 ≤ max and converts µs to ms', () => {
    const us = Float64Array.from({ length: 1000 }, (_, i) => (i + 1) * 10).sort();
    const p = percentiles(us);
    expect(p.p50Ms).toBeLessThanOrEqual(p.p99Ms);
    expect(p.p99Ms).toBeLessThanOrEqual(10);
    expect(p.meanMs).toBeCloseTo(5.005, 3);
  });

  it('puts a single slow outlier in p99 only when it is more than 1% of samples', () => {
    const fast = Array.from({ length: 99 }, () => 100);
    expect(percentiles(Float64Array.from([...fast, 50_000]).sort()).p99Ms).toBe(50);
    expect(percentiles(Float64Array.from([...fast, ...fast, 50_000]).sort()).p99Ms).toBe(0.1);
  });
});

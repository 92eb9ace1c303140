import { describe, expect, it } from 'vitest';
import { ResultOrigins } from './result-origins.js';

describe('ResultOrigins', () => {
  it('gives each pipelined Execute its own result, and a multi-statement Query all of its results', () => {
    const o = new ResultOrigins();
    o.execute(4);
    o.execute(8);
    o.sync(9);
    o.simple(10);
    expect(o.current).toBe(4);
    o.resultEnd();
    expect(o.current).toBe(8);
    o.resultEnd();
    expect(o.current).toBeNull();
    o.ready();
    expect(o.current).toBe(10);
    o.resultEnd();
    expect(o.current).toBe(10);
    o.ready();
    expect(o.current).toBeNull();
  });

  it('drops the Executes the server discards after an error at the batch\'s ReadyForQuery', () => {
    const o = new ResultOrigins();
    o.execute(1);
    o.execute(2);
    o.execute(3);
    o.sync(4);
    o.execute(6);
    o.sync(7);
    o.resultEnd();
    o.ready();
    expect(o.current).toBe(6);
  });

  it('stops naming origins for good once a client queues too many unanswered messages', () => {
    const o = new ResultOrigins();
    for (let i = 0; i < 5000; i++) o.execute(i);
    expect(o.current).toBeNull();
    o.ready();
    o.simple(9000);
    expect(o.current).toBeNull();
  });
});

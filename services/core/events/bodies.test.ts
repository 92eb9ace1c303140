import { describe, expect, it } from 'vitest';
import { decisionBody, eventOf, sessionEndBody, truncatedWireBody, wireBody } from './bodies.js';

describe('frame body constructors', () => {
  it('fills the schema defaults', () => {
    expect(wireBody(Buffer.from('abc'))).toEqual({ kind: 'Wire', payload: Buffer.from('abc'), maskedInline: false, truncated: false, originalLength: 3 });
    expect(decisionBody('ALLOW')).toEqual({ kind: 'Decision', action: 'ALLOW', rule: '', reason: '', subject: '', refSeq: null, details: {} });
    expect(sessionEndBody('idle_timeout')).toEqual({ kind: 'SessionEnd', reason: 'idle_timeout', error: null, bytesFromClient: 0, bytesToClient: 0, frames: 0 });
  });

  it('pairs an event type with its code', () => {
    expect(eventOf('db.query')).toEqual({ eventType: 'db.query', eventCode: 2002 });
  });

  it('truncates a payload above the limit and says so, keeping the original length', () => {
    const payload = Buffer.alloc(10, 1);
    expect(truncatedWireBody(payload, 10)).toMatchObject({ truncated: false, originalLength: 10 });
    const cut = truncatedWireBody(payload, 4, true);
    expect(cut).toMatchObject({ truncated: true, originalLength: 10, maskedInline: true });
    expect(cut.payload.length).toBe(4);
    expect(truncatedWireBody(payload, 0).payload.length).toBe(0);
  });
});

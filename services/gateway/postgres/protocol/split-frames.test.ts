import { describe, expect, it } from 'vitest';
import { BackendDecoder } from './backend-decoder.js';
import { encodeBackendMessage } from './backend-encoder.js';
import type { DecodedBackendMessage } from './backend-messages.js';
import { FrontendDecoder } from './frontend-decoder.js';
import { encodeFrontendMessage } from './frontend-encoder.js';
import type { DecodedFrontendMessage } from './frontend-messages.js';
import { backendFields, frontendFields } from './message-fields.js';
import { SAMPLE_BACKEND, SAMPLE_FRONTEND, SAMPLE_STARTUP } from './sample-messages.js';

const backendStream = Buffer.concat(SAMPLE_BACKEND.map(encodeBackendMessage));
const startup = SAMPLE_STARTUP.filter((m) => m.kind !== 'CancelRequest');
const frontendStream = Buffer.concat([...startup, ...SAMPLE_FRONTEND].map(encodeFrontendMessage));

function drainBackend(chunks: readonly Buffer[]): DecodedBackendMessage[] {
  const d = new BackendDecoder();
  const out: DecodedBackendMessage[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
  }
  if (d.bufferedBytes !== 0) throw new Error(`${d.bufferedBytes} bytes left undecoded`);
  return out;
}

function drainFrontend(chunks: readonly Buffer[]): DecodedFrontendMessage[] {
  const d = new FrontendDecoder();
  const out: DecodedFrontendMessage[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
  }
  if (d.bufferedBytes !== 0) throw new Error(`${d.bufferedBytes} bytes left undecoded`);
  return out;
}

function bytes(n: number, of: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < of.length; i += n) out.push(of.subarray(i, i + n));
  return out;
}

/**
 * Decoded fields are a pure function of a frame's bytes, so in the every-offset loops comparing kinds and
 * raw bytes is enough (and keeps thousands of splits fast); the chunked tests compare fields too.
 */
function sameFrames(got: readonly { kind: string; raw: Buffer }[], want: readonly { kind: string; raw: Buffer }[]): boolean {
  if (got.length !== want.length) return false;
  return got.every((g, i) => g.kind === want[i]?.kind && g.raw.equals(want[i].raw));
}

/** Compares field-by-field and checks every message's raw bytes are the stream's bytes at that position. */
function expectSameStream<T extends { raw: Buffer }>(got: readonly T[], want: readonly T[], stream: Buffer, fields: (m: T) => unknown): void {
  expect(got.length).toBe(want.length);
  let pos = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (g === undefined || w === undefined) throw new Error('length mismatch');
    expect(fields(g)).toEqual(fields(w));
    expect(g.raw.equals(stream.subarray(pos, pos + g.raw.length))).toBe(true);
    pos += g.raw.length;
  }
  expect(pos).toBe(stream.length);
}

describe('backend decoder on split input', () => {
  const whole = drainBackend([backendStream]);

  it('decodes the whole stream in one chunk', () => {
    expect(whole.map((m) => m.kind)).toEqual(SAMPLE_BACKEND.map((m) => m.kind));
  });

  it('gives the same messages when split in two at every offset', () => {
    for (let at = 0; at <= backendStream.length; at++) {
      const got = drainBackend([backendStream.subarray(0, at), backendStream.subarray(at)]);
      if (!sameFrames(got, whole)) expectSameStream(got, whole, backendStream, backendFields);
    }
  });

  it('gives the same messages fed byte by byte and in odd-sized chunks', () => {
    for (const n of [1, 2, 3, 5, 7, 64]) expectSameStream(drainBackend(bytes(n, backendStream)), whole, backendStream, backendFields);
  });

  it('gives the same messages when pushed in three pieces without draining in between', () => {
    const d = new BackendDecoder();
    const a = Math.floor(backendStream.length / 3);
    d.push(backendStream.subarray(0, a));
    d.push(backendStream.subarray(a, 2 * a));
    d.push(backendStream.subarray(2 * a));
    const out: DecodedBackendMessage[] = [];
    for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
    expectSameStream(out, whole, backendStream, backendFields);
  });

  it('returns views into the pushed chunk for frames that do not straddle, and never overwrites them', () => {
    const chunk = Buffer.from(backendStream);
    const msgs = drainBackend([chunk]);
    expect(msgs.every((m) => m.raw.buffer === chunk.buffer)).toBe(true);
    const half = Math.floor(backendStream.length / 2);
    const split = drainBackend([backendStream.subarray(0, half), backendStream.subarray(half)]);
    const snapshot = split.map((m) => Buffer.from(m.raw));
    drainBackend([Buffer.from([0x31, 0, 0, 0, 4]), ...bytes(1, backendStream)]);
    split.forEach((m, i) => expect(m.raw.equals(snapshot[i] ?? Buffer.alloc(0))).toBe(true));
  });

  it('never writes into the chunks it was given (pg-protocol compacts leftovers into them)', () => {
    for (const n of [3, 100, 333]) {
      const chunks = bytes(n, backendStream).map((c) => Buffer.from(c));
      const before = chunks.map((c) => Buffer.from(c));
      drainBackend(chunks);
      chunks.forEach((c, i) => expect(c.equals(before[i] ?? Buffer.alloc(0))).toBe(true));
    }
  });
});

describe('frontend decoder on split input', () => {
  const whole = drainFrontend([frontendStream]);

  it('decodes startup packets then typed messages from one chunk', () => {
    expect(whole.length).toBe(startup.length + SAMPLE_FRONTEND.length);
  });

  it('gives the same messages when split in two at every offset', () => {
    for (let at = 0; at <= frontendStream.length; at++) {
      const got = drainFrontend([frontendStream.subarray(0, at), frontendStream.subarray(at)]);
      if (!sameFrames(got, whole)) expectSameStream(got, whole, frontendStream, frontendFields);
    }
  });

  it('gives the same messages fed byte by byte and in odd-sized chunks', () => {
    for (const n of [1, 2, 3, 5, 64]) expectSameStream(drainFrontend(bytes(n, frontendStream)), whole, frontendStream, frontendFields);
  });
});

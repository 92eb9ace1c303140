import { describe, expect, it } from 'vitest';
import { isTollgateError, type ErrorCode } from '../../../core/errors.js';
import { BackendDecoder } from './backend-decoder.js';
import { encodeBackendMessage } from './backend-encoder.js';
import { DataRowView } from './backend-results.js';
import { FrontendDecoder } from './frontend-decoder.js';
import { encodeFrontendMessage } from './frontend-encoder.js';
import { Writer } from './writer.js';

function frame(type: string, body: Buffer | number[], length?: number): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeInt32BE(length ?? b.length + 4, 1);
  return Buffer.concat([head, b]);
}

function untyped(code: number, body: Buffer | number[] = [], length?: number): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head = Buffer.alloc(8);
  head.writeInt32BE(length ?? b.length + 8, 0);
  head.writeInt32BE(code, 4);
  return Buffer.concat([head, b]);
}

function expectCode(fn: () => unknown, code: ErrorCode, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isTollgateError(err, code), String(err)).toBe(true);
    if (message !== undefined) expect(String((err as Error).message)).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

function backend(bytes: Buffer, maxMessageSize?: number): BackendDecoder {
  const d = new BackendDecoder(maxMessageSize === undefined ? {} : { maxMessageSize });
  d.push(bytes);
  return d;
}

function typedFrontend(bytes: Buffer): FrontendDecoder {
  const d = new FrontendDecoder({ skipStartup: true });
  d.push(bytes);
  return d;
}

describe('framing errors', () => {
  it('names an unknown backend type byte as soon as it arrives', () => {
    expectCode(() => backend(Buffer.from([0x78])).next(), 'TG_ERR_PROTOCOL', /0x78 \('x'\)/);
  });

  it('names an unknown frontend type byte, including bytes that are only valid from the server', () => {
    expectCode(() => typedFrontend(frame('Z', [0x49])).next(), 'TG_ERR_PROTOCOL', /frontend message type 0x5a \('Z'\)/);
    expectCode(() => typedFrontend(Buffer.from([0x00])).next(), 'TG_ERR_PROTOCOL', /0x00/);
  });

  it('refuses lengths below 4 and negative lengths', () => {
    for (const len of [-1, -2147483648, 0, 3]) {
      expectCode(() => backend(frame('Z', [], len)).next(), 'TG_ERR_PROTOCOL', /invalid length/);
      expectCode(() => typedFrontend(frame('Q', [], len)).next(), 'TG_ERR_PROTOCOL', /invalid length/);
    }
  });

  it('refuses an oversized length from the header alone, before the body arrives', () => {
    const d = backend(frame('D', [], 2_000_000_000));
    expectCode(() => d.next(), 'TG_ERR_MESSAGE_TOO_LARGE', /2000000000 bytes, over the limit of 67108864/);
    expect(d.bufferedBytes).toBe(5);
  });

  it('honours a configured maximum and the small limits PostgreSQL applies to fixed-size client messages', () => {
    const row = encodeBackendMessage({ kind: 'DataRow', values: [Buffer.alloc(100)] });
    expectCode(() => backend(row, 64).next(), 'TG_ERR_MESSAGE_TOO_LARGE');
    expect(backend(row, row.length - 1).next()?.kind).toBe('DataRow');
    expectCode(() => typedFrontend(frame('S', [], 10001)).next(), 'TG_ERR_MESSAGE_TOO_LARGE');
    expectCode(() => typedFrontend(frame('p', [], 70000)).next(), 'TG_ERR_MESSAGE_TOO_LARGE');
    expectCode(() => new FrontendDecoder({ maxMessageSize: 3 }), 'TG_ERR_CONFIG');
  });

  it('returns "need more" on every truncation of a valid frame, never an error', () => {
    const q = encodeFrontendMessage({ kind: 'Query', sql: 'SELECT 1' });
    for (let n = 0; n < q.length; n++) expect(typedFrontend(q.subarray(0, n)).next()).toBeUndefined();
  });

  it('refuses an answer to SSLRequest other than S, N or an ErrorResponse, and G is only for GSSENCRequest', () => {
    const d = new BackendDecoder();
    d.expectEncryptionResponse('SSL');
    d.push(Buffer.from('G'));
    expectCode(() => d.next(), 'TG_ERR_PROTOCOL', /0x47 \('G'\) to SSLRequest/);
  });

  it('keeps failing after an error: a stream that lost its framing cannot be resynchronised', () => {
    const d = backend(Buffer.concat([Buffer.from([0x78]), encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' })]));
    expectCode(() => d.next(), 'TG_ERR_PROTOCOL');
    expectCode(() => d.next(), 'TG_ERR_PROTOCOL', /0x78/);
  });
});

describe('body errors', () => {
  it('refuses bytes after the NUL of a Query: a guardrail must never see less SQL than would run', () => {
    expectCode(() => typedFrontend(frame('Q', Buffer.from('SELECT 1\0DROP TABLE t\0'))).next(), 'TG_ERR_PROTOCOL', /trailing/);
  });

  it('refuses a Query without its NUL terminator', () => {
    expectCode(() => typedFrontend(frame('Q', Buffer.from('SELECT 1'))).next(), 'TG_ERR_PROTOCOL', /NUL/);
  });

  it('refuses Bind whose value lengths overrun the frame', () => {
    const w = new Writer();
    w.begin(0x42).cstring('').cstring('').int16Array([]).uint16(1).int32(1000).bytes(Buffer.from('abc')).end();
    expectCode(() => typedFrontend(w.finish()).next(), 'TG_ERR_PROTOCOL', /Bind is truncated/);
  });

  it('refuses a negative value length other than -1 (NULL)', () => {
    const w = new Writer();
    w.begin(0x46).uint32(1).int16Array([]).uint16(1).int32(-2).int16(0).end();
    expectCode(() => typedFrontend(w.finish()).next(), 'TG_ERR_PROTOCOL', /negative length/);
  });

  it('checks body-less messages are exactly 4 bytes long', () => {
    expectCode(() => typedFrontend(frame('S', [0])).next(), 'TG_ERR_PROTOCOL', /Sync must have an empty body/);
    expectCode(() => backend(frame('1', [1, 2])).next(), 'TG_ERR_PROTOCOL', /ParseComplete/);
  });

  it('refuses unknown authentication codes, transaction statuses and Describe targets', () => {
    expectCode(() => backend(frame('R', [0, 0, 0, 99])).next(), 'TG_ERR_PROTOCOL', /authentication request code 99/);
    expectCode(() => backend(frame('Z', [0x58])).next(), 'TG_ERR_PROTOCOL', /transaction status/);
    expectCode(() => typedFrontend(frame('D', [0x58, 0])).next(), 'TG_ERR_PROTOCOL', /'S' \(statement\) or 'P'/);
  });

  it('decodes DataRow columns lazily and reports a malformed row only when they are read', () => {
    const bad = frame('D', [0, 2, 0, 0, 0, 1, 0x41]);
    const msg = backend(bad).next();
    expect(msg).toBeInstanceOf(DataRowView);
    expectCode(() => (msg as DataRowView).values, 'TG_ERR_PROTOCOL', /DataRow is truncated/);
    expectCode(() => backend(frame('D', [0])).next(), 'TG_ERR_PROTOCOL', /too short/);
  });
});

describe('startup errors', () => {
  function startup(bytes: Buffer): FrontendDecoder {
    const d = new FrontendDecoder();
    d.push(bytes);
    return d;
  }

  it('refuses protocol versions other than 3.x with a clear message', () => {
    expectCode(() => startup(untyped(2 << 16, [0])).next(), 'TG_ERR_PROTOCOL', /unsupported protocol version 2\.0/);
    expectCode(() => startup(untyped((1234 << 16) | 5690, [])).next(), 'TG_ERR_PROTOCOL', /unknown startup request code/);
  });

  it('accepts 3.x minors so the session can answer with NegotiateProtocolVersion', () => {
    const msg = startup(untyped((3 << 16) | 2, [0])).next();
    expect(msg).toMatchObject({ kind: 'StartupMessage', majorVersion: 3, minorVersion: 2 });
  });

  it('refuses startup packets shorter than 8 or longer than 10000 bytes', () => {
    expectCode(() => startup(untyped(196608, [], 7)).next(), 'TG_ERR_PROTOCOL', /invalid length 7/);
    expectCode(() => startup(untyped(196608, [], 10001)).next(), 'TG_ERR_MESSAGE_TOO_LARGE', /startup packet/);
  });

  it('refuses a startup parameter list without its final terminator', () => {
    expectCode(() => startup(untyped(196608, Buffer.from('user\0bob\0'))).next(), 'TG_ERR_PROTOCOL');
  });

  it('accepts cancel keys of 4 to 256 bytes and refuses others', () => {
    const pid = [0, 0, 0, 1];
    expect(startup(untyped(80877102, [...pid, 1, 2, 3, 4])).next()?.kind).toBe('CancelRequest');
    expect(startup(untyped(80877102, [...pid, ...Buffer.alloc(256)])).next()?.kind).toBe('CancelRequest');
    expectCode(() => startup(untyped(80877102, [...pid, 1, 2, 3])).next(), 'TG_ERR_PROTOCOL', /4 to 256/);
    expectCode(() => startup(untyped(80877102, [...pid, ...Buffer.alloc(257)])).next(), 'TG_ERR_PROTOCOL', /4 to 256/);
  });

  it('refuses an SSLRequest with a body', () => {
    expectCode(() => startup(untyped(80877103, [0])).next(), 'TG_ERR_PROTOCOL', /trailing/);
  });

  it('shows bytes sent behind an SSLRequest, so the adapter can refuse them before the TLS handshake', () => {
    const d = startup(Buffer.concat([untyped(80877103), encodeFrontendMessage({ kind: 'Query', sql: 'x' })]));
    expect(d.next()?.kind).toBe('SSLRequest');
    expect(d.bufferedBytes).toBeGreaterThan(0);
  });
});

describe('encoder refusals', () => {
  it('refuses strings with NUL bytes that would cut a message short on the far side', () => {
    expectCode(() => encodeFrontendMessage({ kind: 'Query', sql: 'SELECT 1\0; DROP TABLE t' }), 'TG_ERR_PROTOCOL', /NUL/);
    expectCode(
      () => encodeBackendMessage({ kind: 'ErrorResponse', fields: new Map([['M', 'a\0b']]) }),
      'TG_ERR_PROTOCOL',
    );
  });

  it('refuses empty names that would end a list early', () => {
    expectCode(() => encodeBackendMessage({ kind: 'AuthenticationSASL', mechanisms: [''] }), 'TG_ERR_PROTOCOL');
    expectCode(
      () => encodeFrontendMessage({ kind: 'StartupMessage', majorVersion: 3, minorVersion: 0, parameters: new Map([['', 'x']]) }),
      'TG_ERR_PROTOCOL',
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../../core/errors.js';
import { readGSSResponse, readPasswordMessage, readSASLInitialResponse, readSASLResponse } from './auth-response.js';
import { BackendDecoder } from './backend-decoder.js';
import { encodeBackendMessage } from './backend-encoder.js';
import { DataRowView } from './backend-results.js';
import type { BackendMessage } from './backend-messages.js';
import { FrontendDecoder } from './frontend-decoder.js';
import { encodeFrontendMessage } from './frontend-encoder.js';
import type { FrontendMessage } from './frontend-messages.js';
import { backendFields, frontendFields } from './message-fields.js';

const text = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/\0/g, ''));
const name = text.filter((s) => s !== '');
const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
const nullable = fc.option(bytes, { nil: null });
const int16 = fc.integer({ min: -32768, max: 32767 });
const int32 = fc.integer({ min: -2147483648, max: 2147483647 });
const oid = fc.integer({ min: 0, max: 0xffffffff });
const formats = fc.array(int16, { maxLength: 4 });
const fields = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 127 }).map((c) => String.fromCharCode(c)), text), { maxLength: 6 })
  .map((entries) => new Map(entries));
const copyFields = fc.record({ format: fc.constantFrom(0, 1), columnFormats: formats });

const backendMessage: fc.Arbitrary<BackendMessage> = fc.oneof(
  fc.constantFrom<BackendMessage>(
    { kind: 'AuthenticationOk' }, { kind: 'AuthenticationKerberosV5' }, { kind: 'AuthenticationCleartextPassword' },
    { kind: 'AuthenticationGSS' }, { kind: 'AuthenticationSSPI' }, { kind: 'BindComplete' }, { kind: 'CloseComplete' },
    { kind: 'CopyDone' }, { kind: 'EmptyQueryResponse' }, { kind: 'NoData' }, { kind: 'ParseComplete' },
    { kind: 'PortalSuspended' }, { kind: 'ReadyForQuery', status: 'I' }, { kind: 'ReadyForQuery', status: 'T' },
    { kind: 'ReadyForQuery', status: 'E' },
  ),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((s): BackendMessage => ({ kind: 'AuthenticationMD5Password', salt: Buffer.from(s) })),
  bytes.map((data): BackendMessage => ({ kind: 'AuthenticationGSSContinue', data })),
  fc.array(name, { maxLength: 3 }).map((mechanisms): BackendMessage => ({ kind: 'AuthenticationSASL', mechanisms })),
  bytes.map((data): BackendMessage => ({ kind: 'AuthenticationSASLContinue', data })),
  bytes.map((data): BackendMessage => ({ kind: 'AuthenticationSASLFinal', data })),
  fc.record({ processId: int32, secretKey: fc.uint8Array({ minLength: 4, maxLength: 256 }).map((a) => Buffer.from(a)) })
    .map((m): BackendMessage => ({ kind: 'BackendKeyData', ...m })),
  text.map((tag): BackendMessage => ({ kind: 'CommandComplete', tag })),
  bytes.map((data): BackendMessage => ({ kind: 'CopyData', data })),
  copyFields.map((f): BackendMessage => ({ kind: 'CopyInResponse', ...f })),
  copyFields.map((f): BackendMessage => ({ kind: 'CopyOutResponse', ...f })),
  copyFields.map((f): BackendMessage => ({ kind: 'CopyBothResponse', ...f })),
  fc.array(nullable, { maxLength: 6 }).map((values): BackendMessage => ({ kind: 'DataRow', values })),
  fields.map((f): BackendMessage => ({ kind: 'ErrorResponse', fields: f })),
  fields.map((f): BackendMessage => ({ kind: 'NoticeResponse', fields: f })),
  nullable.map((result): BackendMessage => ({ kind: 'FunctionCallResponse', result })),
  fc.record({ newestMinorVersion: int32, unrecognizedOptions: fc.array(text, { maxLength: 3 }) })
    .map((m): BackendMessage => ({ kind: 'NegotiateProtocolVersion', ...m })),
  fc.record({ processId: int32, channel: text, payload: text }).map((m): BackendMessage => ({ kind: 'NotificationResponse', ...m })),
  fc.array(oid, { maxLength: 5 }).map((typeOids): BackendMessage => ({ kind: 'ParameterDescription', typeOids })),
  fc.record({ name: text, value: text }).map((m): BackendMessage => ({ kind: 'ParameterStatus', ...m })),
  fc.array(
    fc.record({ name: text, tableOid: oid, columnAttr: int16, typeOid: oid, typeSize: int16, typeModifier: int32, format: int16 }),
    { maxLength: 4 },
  ).map((f): BackendMessage => ({ kind: 'RowDescription', fields: f })),
);

const target = fc.constantFrom<'S' | 'P'>('S', 'P');
const frontendMessage: fc.Arbitrary<FrontendMessage> = fc.oneof(
  fc.constantFrom<FrontendMessage>({ kind: 'CopyDone' }, { kind: 'Flush' }, { kind: 'Sync' }, { kind: 'Terminate' }),
  fc.record({ portal: text, statement: text, parameterFormats: formats, parameters: fc.array(nullable, { maxLength: 5 }), resultFormats: formats })
    .map((m): FrontendMessage => ({ kind: 'Bind', ...m })),
  fc.record({ target, name: text }).map((m): FrontendMessage => ({ kind: 'Close', ...m })),
  fc.record({ target, name: text }).map((m): FrontendMessage => ({ kind: 'Describe', ...m })),
  bytes.map((data): FrontendMessage => ({ kind: 'CopyData', data })),
  text.map((message): FrontendMessage => ({ kind: 'CopyFail', message })),
  fc.record({ portal: text, maxRows: int32 }).map((m): FrontendMessage => ({ kind: 'Execute', ...m })),
  fc.record({ functionOid: oid, argumentFormats: formats, arguments: fc.array(nullable, { maxLength: 4 }), resultFormat: int16 })
    .map((m): FrontendMessage => ({ kind: 'FunctionCall', ...m })),
  fc.record({ statement: text, query: text, parameterTypes: fc.array(oid, { maxLength: 4 }) }).map((m): FrontendMessage => ({ kind: 'Parse', ...m })),
  bytes.map((body): FrontendMessage => ({ kind: 'AuthenticationResponse', body })),
  text.map((sql): FrontendMessage => ({ kind: 'Query', sql })),
);

/** Splits a buffer at the given (sorted, deduplicated) cut points. */
function cut(buf: Buffer, points: readonly number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

/** Runs a decoder over chunks; returns how it ended. Anything but a TollgateError escapes and fails the property. */
function survive(make: () => BackendDecoder | FrontendDecoder, chunks: readonly Buffer[]): number {
  const d = make();
  let count = 0;
  try {
    for (const c of chunks) {
      d.push(c);
      for (let m = d.next(); m !== undefined; m = d.next()) {
        if (m instanceof DataRowView) void [m.values, m.texts()];
        if (++count > 100_000) throw new Error('decoder did not make progress');
      }
    }
  } catch (err) {
    if (!isTollgateError(err, 'TG_ERR_PROTOCOL') && !isTollgateError(err, 'TG_ERR_MESSAGE_TOO_LARGE')) throw err;
  }
  return count;
}

describe('fuzzing the decoders', () => {
  const garbage = fc.tuple(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.array(fc.nat(), { maxLength: 4 }));

  it('throws only TG_ERR_PROTOCOL or TG_ERR_MESSAGE_TOO_LARGE on arbitrary bytes, and always returns', () => {
    fc.assert(
      fc.property(garbage, ([buf, points]) => {
        const chunks = cut(buf, points);
        survive(() => new BackendDecoder({ maxMessageSize: 1024 }), chunks);
        survive(() => new FrontendDecoder(), chunks);
        survive(() => new FrontendDecoder({ skipStartup: true }), chunks);
      }),
      { numRuns: 2000 },
    );
  });

  it('survives valid type bytes and lengths followed by arbitrary bodies', () => {
    const framed = fc.tuple(fc.constantFrom(...'R K 2 3 C d c G H W D I E V v n N A t S 1 s Z T B f F P p Q X'.split(' ')), fc.uint8Array({ maxLength: 40 }))
      .map(([t, body]) => Buffer.concat([Buffer.from([t.charCodeAt(0)]), int32be(body.length + 4), Buffer.from(body)]));
    fc.assert(
      fc.property(fc.array(framed, { maxLength: 8 }), (frames) => {
        const stream = Buffer.concat(frames);
        survive(() => new BackendDecoder(), [stream]);
        survive(() => new FrontendDecoder({ skipStartup: true }), [stream]);
      }),
      { numRuns: 2000 },
    );
  });
});

function int32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

describe('fuzzing the auth-response readers', () => {
  it('throw nothing but TG_ERR_PROTOCOL on any body', () => {
    const readers = [readPasswordMessage, readSASLInitialResponse, readSASLResponse, readGSSResponse];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (body) => {
        const raw = Buffer.concat([Buffer.from([0x70]), int32be(body.length + 4), Buffer.from(body)]);
        for (const read of readers) {
          try {
            read(raw);
          } catch (err) {
            expect(isTollgateError(err, 'TG_ERR_PROTOCOL'), String(err)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('arbitrary valid messages', () => {
  it('round-trip through the backend encoder and decoder, in any chunking', () => {
    fc.assert(
      fc.property(fc.array(backendMessage, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 3 }), (msgs, points) => {
        const stream = Buffer.concat(msgs.map(encodeBackendMessage));
        const d = new BackendDecoder();
        const got: BackendMessage[] = [];
        for (const c of cut(stream, points)) {
          d.push(c);
          for (let m = d.next(); m !== undefined; m = d.next()) got.push(backendFields(m));
        }
        expect(got).toEqual(msgs);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trip through the frontend encoder and decoder, in any chunking', () => {
    fc.assert(
      fc.property(fc.array(frontendMessage, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 3 }), (msgs, points) => {
        const stream = Buffer.concat(msgs.map(encodeFrontendMessage));
        const d = new FrontendDecoder({ skipStartup: true });
        const got: FrontendMessage[] = [];
        for (const c of cut(stream, points)) {
          d.push(c);
          for (let m = d.next(); m !== undefined; m = d.next()) got.push(frontendFields(m));
        }
        expect(got).toEqual(msgs);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trip StartupMessages with arbitrary parameters', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, text), { maxLength: 5 }), fc.nat(0xffff), (params, minor) => {
        const msg: FrontendMessage = { kind: 'StartupMessage', majorVersion: 3, minorVersion: minor, parameters: new Map(params) };
        const d = new FrontendDecoder();
        const bytes = encodeFrontendMessage(msg);
        if (bytes.length > 10000) return;
        d.push(bytes);
        const got = d.next();
        expect(got === undefined ? undefined : frontendFields(got)).toEqual(msg);
      }),
      { numRuns: 300 },
    );
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackendDecoder } from './backend-decoder.js';
import { encodeBackendMessage } from './backend-encoder.js';
import { FrontendDecoder } from './frontend-decoder.js';
import { encodeFrontendMessage } from './frontend-encoder.js';
import { backendFields, frontendFields } from './message-fields.js';

// Byte streams captured from a real PostgreSQL 15 by fixtures/capture.ts (psql, node-postgres, RawClient).
const dir = join(import.meta.dirname, 'fixtures');
const names = readdirSync(dir).filter((f) => f.endsWith('.frontend.bin')).map((f) => f.replace('.frontend.bin', ''));

interface Frame { kind: string; raw: Buffer }

function decodeFrontend(chunks: readonly Buffer[]): Frame[] {
  const d = new FrontendDecoder();
  const out: Frame[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
  }
  if (d.bufferedBytes !== 0) throw new Error(`${d.bufferedBytes} client bytes left undecoded`);
  return out;
}

function decodeBackend(chunks: readonly Buffer[], afterSslRequest: boolean): Frame[] {
  const d = new BackendDecoder();
  if (afterSslRequest) d.expectEncryptionResponse('SSL');
  const out: Frame[] = [];
  for (const c of chunks) {
    d.push(c);
    for (let m = d.next(); m !== undefined; m = d.next()) out.push(m);
  }
  if (d.bufferedBytes !== 0) throw new Error(`${d.bufferedBytes} server bytes left undecoded`);
  return out;
}

function sameFrames(a: readonly Frame[], b: readonly Frame[]): boolean {
  return a.length === b.length && a.every((m, i) => m.kind === b[i]?.kind && m.raw.equals(b[i].raw));
}

it('has fixtures to replay', () => {
  expect(names.length).toBeGreaterThanOrEqual(5);
});

describe.each(names)('fixture %s', (name) => {
  const client = readFileSync(join(dir, `${name}.frontend.bin`));
  const server = readFileSync(join(dir, `${name}.backend.bin`));
  const clientMsgs = new FrontendDecoder();
  clientMsgs.push(client);
  const first = clientMsgs.next();
  const ssl = first?.kind === 'SSLRequest';

  it('decodes the client stream entirely and re-encodes every message byte-identically', () => {
    const d = new FrontendDecoder();
    d.push(client);
    const parts: Buffer[] = [];
    for (let m = d.next(); m !== undefined; m = d.next()) {
      const again = encodeFrontendMessage(frontendFields(m));
      expect(again.equals(m.raw), `${m.kind} re-encodes differently`).toBe(true);
      parts.push(again);
    }
    expect(d.bufferedBytes).toBe(0);
    expect(Buffer.concat(parts).equals(client)).toBe(true);
  });

  it('decodes the server stream entirely and re-encodes every message byte-identically', () => {
    const d = new BackendDecoder();
    if (ssl) d.expectEncryptionResponse('SSL');
    d.push(server);
    const parts: Buffer[] = [];
    for (let m = d.next(); m !== undefined; m = d.next()) {
      const again = encodeBackendMessage(backendFields(m));
      expect(again.equals(m.raw), `${m.kind} re-encodes differently`).toBe(true);
      parts.push(again);
    }
    expect(d.bufferedBytes).toBe(0);
    expect(Buffer.concat(parts).equals(server)).toBe(true);
  });

  it('decodes the same frames from both streams split at every offset and byte by byte', () => {
    const wholeClient = decodeFrontend([client]);
    const wholeServer = decodeBackend([server], ssl);
    for (let at = 0; at <= client.length; at++) {
      if (!sameFrames(decodeFrontend([client.subarray(0, at), client.subarray(at)]), wholeClient)) {
        throw new Error(`client stream split at ${at} decodes differently`);
      }
    }
    for (let at = 0; at <= server.length; at++) {
      if (!sameFrames(decodeBackend([server.subarray(0, at), server.subarray(at)], ssl), wholeServer)) {
        throw new Error(`server stream split at ${at} decodes differently`);
      }
    }
    const bytes = (b: Buffer) => Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1));
    expect(sameFrames(decodeFrontend(bytes(client)), wholeClient)).toBe(true);
    expect(sameFrames(decodeBackend(bytes(server), ssl), wholeServer)).toBe(true);
  });
});

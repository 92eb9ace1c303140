/**
 * PostgreSQL backend decode throughput on the gateway's hottest path: a result set as a server sends it
 * (RowDescription + 1000 DataRows + CommandComplete + ReadyForQuery), cut into 64 KiB socket-sized
 * chunks, decoded by tollgate's BackendDecoder and by node-postgres's pg-protocol Parser in one process:
 *
 *   tollgate-forward   frame + type every message, coalesce untouched frames into writes (the real fast path)
 *   tollgate-frames    frame + type every message, DataRow columns left undecoded (lazy)
 *   tollgate-columns   as above, plus every DataRow split into column Buffers (what masking reads)
 *   tollgate-strings   frame + type, plus every column decoded to a string with DataRowView.texts (pg-protocol's work)
 *   pg-protocol        Parser.parse: every DataRow column decoded to a string
 *
 * Run: node --import tsx load-tests/pg-protocol.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { Parser } from 'pg-protocol/dist/parser.js';
import { BackendDecoder } from '../services/gateway/postgres/protocol/backend-decoder.js';
import { encodeBackendMessage } from '../services/gateway/postgres/protocol/backend-encoder.js';
import { DataRowView, encodeDataRow } from '../services/gateway/postgres/protocol/backend-results.js';
import { ForwardRun } from '../services/gateway/postgres/protocol/forward-run.js';

export interface PgProtocolFigure {
  path: string;
  megabytesPerSecond: number;
  messagesPerSecond: number;
  /** Throughput relative to pg-protocol's parser on the same chunks. */
  ratioToPgProtocol: number;
}

const ROWS = 1000;
const CHUNK = 64 * 1024;

function resultSet(): Buffer {
  const text = (oid: number, name: string, size: number) =>
    ({ name, tableOid: 16384, columnAttr: 1, typeOid: oid, typeSize: size, typeModifier: -1, format: 0 });
  const parts = [encodeBackendMessage({
    kind: 'RowDescription',
    fields: [text(23, 'id', 4), text(25, 'email', -1), text(25, 'full_name', -1), text(1184, 'created_at', 8), text(1700, 'amount', -1)],
  })];
  for (let i = 0; i < ROWS; i++) {
    parts.push(encodeDataRow([
      Buffer.from(String(100000 + i)),
      Buffer.from(`customer.${i}@example.com`),
      i % 7 === 0 ? null : Buffer.from(`Customer Number ${i}`),
      Buffer.from('2026-11-30 01:02:03.456789+00'),
      Buffer.from(`${i * 3}.${String(i % 100).padStart(2, '0')}`),
    ]));
  }
  parts.push(encodeBackendMessage({ kind: 'CommandComplete', tag: `SELECT ${ROWS}` }));
  parts.push(encodeBackendMessage({ kind: 'ReadyForQuery', status: 'I' }));
  return Buffer.concat(parts);
}

function chunksOf(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  // Fresh buffers per chunk, as a socket delivers them.
  for (let i = 0; i < stream.length; i += CHUNK) out.push(Buffer.from(stream.subarray(i, i + CHUNK)));
  return out;
}

type Pass = (chunks: readonly Buffer[]) => number;

const passes: Record<string, Pass> = {
  'tollgate-forward': (chunks) => {
    const d = new BackendDecoder();
    const run = new ForwardRun();
    let n = 0;
    let written = 0;
    for (const c of chunks) {
      d.push(c);
      for (let m = d.next(); m !== undefined; m = d.next()) {
        n++;
        const out = run.addMessage(m);
        if (out !== undefined) written += out.length;
      }
      written += run.flush()?.length ?? 0;
    }
    return written > 0 ? n : -1;
  },
  'tollgate-frames': (chunks) => {
    const d = new BackendDecoder();
    let n = 0;
    for (const c of chunks) {
      d.push(c);
      for (let m = d.next(); m !== undefined; m = d.next()) n++;
    }
    return n;
  },
  'tollgate-columns': (chunks) => {
    const d = new BackendDecoder();
    let n = 0;
    for (const c of chunks) {
      d.push(c);
      for (let m = d.next(); m !== undefined; m = d.next()) {
        n++;
        if (m.kind === 'DataRow' && m.values.length === 0) n = -1;
      }
    }
    return n;
  },
  'tollgate-strings': (chunks) => {
    const d = new BackendDecoder();
    let n = 0;
    let chars = 0;
    for (const c of chunks) {
      d.push(c);
      for (let m = d.next(); m !== undefined; m = d.next()) {
        n++;
        if (m instanceof DataRowView) for (const t of m.texts()) chars += t?.length ?? 0;
      }
    }
    return chars > 0 ? n : -1;
  },
  'pg-protocol': (chunks) => {
    const p = new Parser();
    let n = 0;
    for (const c of chunks) p.parse(c, () => void n++);
    return n;
  },
};

// pg-protocol's mergeBuffer compacts leftovers into the previous chunk, writing into buffers it was
// given; so every round, for every path, gets freshly copied chunks, as a socket would hand over.
function timeRound(pass: Pass, stream: Buffer, budgetMs: number): { ms: number; bytes: number; messages: number } {
  let messages = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  let ms = 0;
  while (ms < budgetMs) {
    messages += pass(chunksOf(stream));
    bytes += stream.length;
    ms = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { ms, bytes, messages };
}

/**
 * Measures every path on the same chunks and reports throughput and the ratio to pg-protocol. Paths
 * take turns in short slices, so load from elsewhere on the machine hits them all alike.
 */
export async function run(budgetMs = 1500, slices = 15): Promise<{ streamBytes: number; messages: number; figures: PgProtocolFigure[] }> {
  const stream = resultSet();
  const messages = ROWS + 3;
  const totals = new Map<string, { ms: number; bytes: number; messages: number }>();
  for (const [name, pass] of Object.entries(passes)) {
    const got = pass(chunksOf(stream));
    if (got !== messages) throw new Error(`${name} decoded ${got} messages, expected ${messages}`);
    timeRound(pass, stream, budgetMs / 10);
    totals.set(name, { ms: 0, bytes: 0, messages: 0 });
  }
  for (let s = 0; s < slices; s++) {
    for (const [name, pass] of Object.entries(passes)) {
      const r = timeRound(pass, stream, budgetMs / slices);
      const t = totals.get(name);
      if (t === undefined) continue;
      t.ms += r.ms;
      t.bytes += r.bytes;
      t.messages += r.messages;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const mbps = (t: { ms: number; bytes: number }) => t.bytes / 1048576 / (t.ms / 1000);
  const peerTotals = totals.get('pg-protocol');
  const peer = peerTotals === undefined ? NaN : mbps(peerTotals);
  const figures = [...totals].map(([path, t]) => ({
    path,
    megabytesPerSecond: Math.round(mbps(t)),
    messagesPerSecond: Math.round(t.messages / (t.ms / 1000)),
    ratioToPgProtocol: Math.round((mbps(t) / peer) * 100) / 100,
  }));
  return { streamBytes: stream.length, messages, figures };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  console.log(`stream: ${result.streamBytes} bytes, ${result.messages} messages, ${CHUNK / 1024} KiB chunks`);
  console.table(result.figures);
}

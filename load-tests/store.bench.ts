/**
 * chDB insert throughput for frame rows, comparing the path the Store uses (TabSeparated bytes
 * through chdb's raw insert) with the alternatives, in one process on the same engine:
 *
 *   store-tsv       Store.insert: rows encoded to TSV in JS, handed over as one Buffer
 *   raw-jsoneachrow JSON.stringify per row, one Buffer, raw insert in JSONEachRow
 *   rows-values     chdb's insert({ values: rows }): chdb builds an INSERT ... VALUES text
 *   raw-tsv-minimal the same raw insert with a minimal TSV encoder (no validation, no escaping):
 *                   the gap to store-tsv is the cost of the Store's encoder
 *   query-tsv       that minimal TSV appended to "INSERT ... FORMAT TabSeparated" as SQL text
 *
 * Run: node --import tsx load-tests/store.bench.ts [batches] [batchRows]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Session } from 'chdb';
import { openStore } from '../services/core/store/open.js';
import type { Store } from '../services/core/store/port.js';

export interface InsertFigure {
  path: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Encoded bytes handed to the engine per second (what crosses into chDB); null when chdb builds them. */
  sentMBPerSecond: number | null;
  /** Frame payload bytes per second (the recorded data itself). */
  payloadMBPerSecond: number;
  /** Throughput relative to store-tsv. */
  ratioToStore: number;
  /** Longest event-loop stall seen while this path's inserts ran (encoding runs on the main thread). */
  loopDelayMaxMs: number;
}

export interface StoreBenchFigures {
  batches: number;
  batchRows: number;
  payloadBytes: { min: number; max: number };
  results: InsertFigure[];
}

type Row = Record<string, unknown>;
const COLUMNS = ['session_id', 'seq', 'ts', 'protocol', 'direction', 'event_type', 'event_code', 'message_type', 'channel', 'payload', 'masked_inline', 'truncated', 'original_length', 'log_partition', 'log_offset'];

/** Frame rows with text payloads of 200 to 500 bytes, 50 sessions interleaved. */
function makeBatch(batch: number, batchRows: number): Row[] {
  const rows: Row[] = [];
  const base = Date.now() * 1000;
  const alphabet = 'SELECT id, email, amount FROM payments WHERE customer_id = $1 AND status <> \'void\' ';
  for (let i = 0; i < batchRows; i++) {
    const n = batch * batchRows + i;
    const length = 200 + ((n * 7919) % 301);
    const payload = alphabet.repeat(Math.ceil(length / alphabet.length)).slice(0, length - 8) + String(n).padStart(8, '0');
    rows.push({
      session_id: `bench-session-${n % 50}`, seq: Math.floor(n / 50), ts: base + n, protocol: 'POSTGRES',
      direction: n % 2 === 0 ? 'CLIENT_TO_GATEWAY' : 'UPSTREAM_TO_GATEWAY', event_type: 'db.query', event_code: 2001,
      message_type: 'Query', channel: null, payload, masked_inline: false, truncated: false, original_length: length,
      log_partition: 0, log_offset: n,
    });
  }
  return rows;
}

type Inserter = (rows: Row[], table: string) => Promise<number>;

interface Path {
  name: string;
  table: string;
  insert: Inserter;
  seconds: number;
  sent: number;
  loopDelayMaxMs: number;
}

/**
 * Runs every path over every batch, interleaved batch by batch and in rotating order, so load from
 * other processes and the engine's background merges fall on all paths alike.
 */
async function measure(batches: Row[][], paths: Path[]): Promise<void> {
  // A 5 ms ticker: any longer gap between ticks is time the event loop could not run.
  let current: Path | undefined;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    if (current) current.loopDelayMaxMs = Math.max(current.loopDelayMaxMs, now - last - 5);
    last = now;
  }, 5);
  try {
    for (const [b, batch] of batches.entries()) {
      // Rotate who goes first: the first insert after a round meets that round's background merges.
      for (const path of [...paths.slice(b % paths.length), ...paths.slice(0, b % paths.length)]) {
        current = path;
        last = performance.now();
        const start = process.hrtime.bigint();
        path.sent += await path.insert(batch, path.table);
        path.seconds += Number(process.hrtime.bigint() - start) / 1e9;
        current = undefined;
      }
    }
  } finally {
    clearInterval(ticker);
  }
}

function toTsvViaStore(store: Store, sentBytes: Map<Row[], number>): Inserter {
  return async (rows) => {
    await store.insert('frames', rows);
    return sentBytes.get(rows) ?? 0;
  };
}

function jsonEachRow(session: Session): Inserter {
  return async (rows, table) => {
    const values = Buffer.from(rows.map((r) => JSON.stringify({ ...r, ts: isoMicros(Number(r.ts)) })).join('\n'), 'utf8');
    await session.insert({ table, values, format: 'JSONEachRow' });
    return values.length;
  };
}

function rowsValues(session: Session): Inserter {
  return async (rows, table) => {
    const values = rows.map((r) => ({ ...r, ts: new Date(Number(r.ts) / 1000) }));
    await session.insert({ table, values });
    return Number.NaN; // chdb builds the SQL text itself; its size is not reported
  };
}

function rawTsv(session: Session): Inserter {
  return async (rows, table) => {
    const values = Buffer.from(tsvText(rows), 'utf8');
    await session.insert({ table, values, format: 'TabSeparated', columns: COLUMNS });
    return values.length;
  };
}

function queryTsv(session: Session): Inserter {
  return async (rows, table) => {
    const text = tsvText(rows);
    await session.queryAsync(`INSERT INTO ${table} (${COLUMNS.join(', ')}) FORMAT TabSeparated\n${text}`);
    return Buffer.byteLength(text);
  };
}

function tsvText(rows: Row[]): string {
  return rows
    .map((r) => COLUMNS.map((c) => (r[c] === null ? '\\N' : c === 'ts' ? isoMicros(Number(r.ts)) : String(r[c] as string | number | boolean))).join('\t'))
    .join('\n');
}

function isoMicros(us: number): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

/** Runs every insert path over the same batches and returns the figures. */
export async function run(batches = 20, batchRows = 5000): Promise<StoreBenchFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-store-bench-'));
  const store = await openStore({ kind: 'chdb', path: dir });
  const session = new Session(dir);
  try {
    await store.migrate();
    for (const t of ['bench_json', 'bench_values', 'bench_raw_tsv', 'bench_query']) await store.command(`CREATE TABLE ${t} AS frames`);
    const data = Array.from({ length: batches }, (_, b) => makeBatch(b, batchRows));
    const payloadBytes = data.flat().reduce((n, r) => n + String(r.payload).length, 0);
    await store.insert('frames', makeBatch(batches, 100)); // warm-up: plan cache, first part
    const paths: Path[] = [
      { name: 'store-tsv', table: 'frames', insert: toTsvViaStore(store, new Map(data.map((b) => [b, Buffer.byteLength(tsvText(b))]))) },
      { name: 'raw-jsoneachrow', table: 'bench_json', insert: jsonEachRow(session) },
      { name: 'rows-values', table: 'bench_values', insert: rowsValues(session) },
      { name: 'raw-tsv-minimal', table: 'bench_raw_tsv', insert: rawTsv(session) },
      { name: 'query-tsv', table: 'bench_query', insert: queryTsv(session) },
    ].map((p) => ({ ...p, seconds: 0, sent: 0, loopDelayMaxMs: 0 }));
    await measure(data, paths);
    const rows = batches * batchRows;
    const results: InsertFigure[] = paths.map((p) => ({
      path: p.name,
      rows,
      seconds: p.seconds,
      rowsPerSecond: rows / p.seconds,
      sentMBPerSecond: Number.isNaN(p.sent) ? null : p.sent / p.seconds / 1e6,
      payloadMBPerSecond: payloadBytes / p.seconds / 1e6,
      ratioToStore: 0,
      loopDelayMaxMs: p.loopDelayMaxMs,
    }));
    const reference = results[0]?.rowsPerSecond ?? 1;
    for (const r of results) r.ratioToStore = r.rowsPerSecond / reference;
    return { batches, batchRows, payloadBytes: { min: 200, max: 500 }, results };
  } finally {
    session.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await run(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 5000));
  console.table(figures.results.map((r) => ({ ...r, seconds: r.seconds.toFixed(2), rowsPerSecond: Math.round(r.rowsPerSecond), sentMBPerSecond: r.sentMBPerSecond?.toFixed(1) ?? 'n/a', payloadMBPerSecond: r.payloadMBPerSecond.toFixed(1), ratioToStore: r.ratioToStore.toFixed(2), loopDelayMaxMs: r.loopDelayMaxMs.toFixed(0) })));
}

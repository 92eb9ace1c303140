import type { EncodedRows, Store } from '../../services/core/store/port.js';
import type { Alert } from '../../services/core/events/types.js';
import { frameRow, type StoredFrame } from '../model/stored-frame.js';
import type { CommandRow, QueryRow, SessionRow } from '../projection/rows.js';
import { deadLetterRow, type DeadLetter } from './decode.js';

/** Everything one log batch writes, and the log coordinates its dedup tokens derive from. */
export interface BatchWrites {
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  dead: readonly DeadLetter[];
  alerts: readonly Alert[];
  queries: readonly QueryRow[];
  commands: readonly CommandRow[];
  sessions: readonly SessionRow[];
  frames: readonly StoredFrame[];
}

/** The insert deduplication token of one table's rows of one batch. */
export function dedupToken(w: Pick<BatchWrites, 'topic' | 'partition' | 'firstOffset' | 'lastOffset'>, table: string): string {
  return `${w.topic}/${w.partition}/${w.firstOffset}-${w.lastOffset}/${table}`;
}

/** The row inserted into `alerts`. */
export function alertRow(a: Alert): Record<string, unknown> {
  return {
    alert_id: a.alertId, rule_id: a.ruleId, severity: a.severity, title: a.title, subject: a.subject,
    session_id: a.sessionId ?? '', seq: a.seq, ts: a.tsMicros, details_json: a.detailsJson,
  };
}

/** A batch's rows encoded per table (derived tables first, frames last), ready for {@link writeEncoded}. */
export interface EncodedBatch {
  tokens: Pick<BatchWrites, 'topic' | 'partition' | 'firstOffset' | 'lastOffset'>;
  derived: EncodedRows[];
  frames: EncodedRows;
}

/**
 * Encodes a batch's rows (the CPU part of writing: row objects and TSV), so that the writes proper,
 * which may run while the next batch is staged, only wait on the engine.
 */
export async function encodeBatchWrites(store: Store, w: BatchWrites): Promise<EncodedBatch> {
  const derived: Array<[string, readonly Record<string, unknown>[]]> = [
    ['dead_letters', w.dead.map(deadLetterRow)],
    ['alerts', w.alerts.map(alertRow)],
    ['queries', w.queries as unknown as Record<string, unknown>[]],
    ['commands', w.commands as unknown as Record<string, unknown>[]],
    ['sessions', w.sessions as unknown as Record<string, unknown>[]],
  ];
  const encoded: EncodedRows[] = [];
  for (const [table, rows] of derived) if (rows.length > 0) encoded.push(await store.encode(table, rows));
  return { tokens: w, derived: encoded, frames: await store.encode('frames', w.frames.map(frameRow)) };
}

/**
 * Writes an encoded batch. Order matters for a crash between inserts: derived tables and alerts go
 * first and frames last, so "this batch's frames are stored" (what the offset fence checks after a
 * restart) implies everything else of the batch is stored too. Derived tables are ReplacingMergeTree,
 * so writing them again after a crash converges; the tokens make an identical retry a no-op.
 */
export async function writeEncoded(store: Store, b: EncodedBatch): Promise<void> {
  const insert = async (rows: EncodedRows): Promise<void> => {
    if (rows.rows === 0) return;
    await store.insert(rows.table, rows, { dedupToken: dedupToken(b.tokens, rows.table) });
    await testHook?.(rows.table);
  };
  // Independent of each other, so concurrent (a ClickHouse server takes them in parallel; chDB
  // queues them); frames strictly after all of them.
  // Settle all before failing, so no insert of this attempt is still running when the batch is retried.
  const settled = await Promise.allSettled(b.derived.map(insert));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  await insert(b.frames);
}

/** Encodes and writes a batch's rows (see {@link writeEncoded} for the order). */
export async function writeBatch(store: Store, w: BatchWrites): Promise<void> {
  await writeEncoded(store, await encodeBatchWrites(store, w));
}

/** Test seam: called after each table's insert (the crash test pauses here to be killed mid-batch). */
let testHook: ((table: string) => Promise<void>) | undefined;

/** Installs the after-insert hook (tests only). */
export function setWriteHook(hook: ((table: string) => Promise<void>) | undefined): void {
  testHook = hook;
}

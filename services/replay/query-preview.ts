import { BackendDecoder } from '../gateway/postgres/protocol/backend-decoder.js';

/** A few result rows of one statement as the client received them (already masked in the store). */
export interface ResultPreview {
  columns: string[];
  rows: (string | null)[][];
}

export const PREVIEW_ROWS = 5;
const MAX_CELL = 200;

/** Decodes a recorded RowDescription or DataRow frame; undefined for anything else or garbage. */
export function decodeResultFrame(payload: Buffer): { columns: string[] } | { values: (string | null)[] } | undefined {
  try {
    const d = new BackendDecoder();
    d.push(payload);
    const m = d.next();
    if (m?.kind === 'RowDescription') return { columns: m.fields.map((f) => f.name) };
    if (m?.kind === 'DataRow') return { values: m.values.map((v) => (v === null ? null : cell(v))) };
  } catch {
    // A frame that does not decode shows no preview rather than failing the timeline.
  }
  return undefined;
}

function cell(v: Buffer): string {
  const s = v.toString('utf8');
  return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL)}…` : s;
}

/** A recorded result frame; `toClient` when it is the copy the gateway sent on (masked inline). */
export interface ResultFrame {
  seq: number;
  payload: Buffer;
  toClient: boolean;
}

/**
 * Assigns result frames (ascending seq) to the statement that precedes them and keeps the first
 * PREVIEW_ROWS rows of each. Per statement, rows the gateway re-sent to the client (masked inline)
 * win over the upstream copy; a statement whose rows were forwarded unchanged has only the upstream
 * copy (masked at ingest). `statementSeqs` ascending.
 */
export function buildPreviews(statementSeqs: readonly number[], frames: readonly ResultFrame[]): Map<number, ResultPreview> {
  const buckets = new Map<number, { columns: string[]; client: (string | null)[][]; upstream: (string | null)[][] }>();
  let i = -1;
  for (const f of frames) {
    while (i + 1 < statementSeqs.length && (statementSeqs[i + 1] ?? Infinity) < f.seq) i++;
    const owner = statementSeqs[i];
    if (owner === undefined) continue;
    const decoded = decodeResultFrame(f.payload);
    if (decoded === undefined) continue;
    let b = buckets.get(owner);
    if (b === undefined) buckets.set(owner, (b = { columns: [], client: [], upstream: [] }));
    if ('columns' in decoded) {
      if (b.columns.length === 0) b.columns = decoded.columns;
    } else {
      const rows = f.toClient ? b.client : b.upstream;
      if (rows.length < PREVIEW_ROWS) rows.push(decoded.values);
    }
  }
  const previews = new Map<number, ResultPreview>();
  for (const [seq, b] of buckets) previews.set(seq, { columns: b.columns, rows: b.client.length > 0 ? b.client : b.upstream });
  return previews;
}

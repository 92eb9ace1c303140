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

/**
 * Assigns result frames (ascending seq) to the statement that precedes them and keeps the first
 * PREVIEW_ROWS rows of each. `statementSeqs` ascending.
 */
export function buildPreviews(statementSeqs: readonly number[], frames: readonly { seq: number; payload: Buffer }[]): Map<number, ResultPreview> {
  const previews = new Map<number, ResultPreview>();
  let i = -1;
  for (const f of frames) {
    while (i + 1 < statementSeqs.length && (statementSeqs[i + 1] ?? Infinity) < f.seq) i++;
    const owner = statementSeqs[i];
    if (owner === undefined) continue;
    const decoded = decodeResultFrame(f.payload);
    if (decoded === undefined) continue;
    let p = previews.get(owner);
    if (p === undefined) previews.set(owner, (p = { columns: [], rows: [] }));
    if ('columns' in decoded) {
      if (p.columns.length === 0) p.columns = decoded.columns;
    } else if (p.rows.length < PREVIEW_ROWS) p.rows.push(decoded.values);
  }
  return previews;
}

import type { DecodedFrontendMessage } from './frontend-messages.js';
import { FrontendCode } from './message-codes.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';

/*
 * Query:  Byte1('Q') Int32(len) String(query string, possibly several statements)
 *
 * Trailing bytes after the NUL are refused: PostgreSQL refuses them too (pq_getmsgend), and a guardrail
 * must never judge a shorter statement than the one that would run.
 */
export function decodeQuery(raw: Buffer): DecodedFrontendMessage {
  const r = new Reader(raw, 5, 'Query');
  const sql = r.cstring();
  r.done();
  return { kind: 'Query', sql, raw };
}

/** Writes a Query. */
export function writeQuery(w: Writer, sql: string): Writer {
  return w.begin(FrontendCode.Query).cstring(sql).end();
}

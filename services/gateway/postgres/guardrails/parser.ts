import { loadModule, parseSync, parsePlPgSQLSync, scanSync } from 'libpg-query';
import type { ParseResult, ScanResult } from 'libpg-query';
import { TollgateError } from '../../../core/errors.js';

/**
 * The one place that touches libpg-query. Its WASM module is loaded once per process; every
 * parse after that is synchronous, so the decision path never awaits.
 */
let loaded: Promise<void> | undefined;
let ready = false;

/** Loads the PostgreSQL parser (WASM) once; call at startup before compiling guardrails. */
export function loadGuardrailParser(): Promise<void> {
  loaded ??= loadModule().then(() => {
    ready = true;
  });
  return loaded;
}

/** True once {@link loadGuardrailParser} has resolved. */
export function isGuardrailParserLoaded(): boolean {
  return ready;
}

function assertReady(): void {
  if (!ready) {
    throw new TollgateError('TG_ERR_INTERNAL', 'guardrail parser not loaded: await loadGuardrailParser() at startup');
  }
}

/** Parses SQL text into raw parse trees; throws the parser's SqlError on a syntax error. */
export function parseSql(sql: string): ParseResult {
  assertReady();
  return parseSync(sql);
}

/** Parses the PL/pgSQL bodies of the DO blocks and functions in one statement's text. */
export function parsePlpgsql(statementText: string): unknown {
  assertReady();
  return parsePlPgSQLSync(statementText);
}

/** Lexes SQL text; token offsets are UTF-8 byte offsets, like the parser's locations. */
export function scanSql(sql: string): ScanResult {
  assertReady();
  return scanSync(sql);
}

/**
 * The parser reports locations in UTF-8 bytes while JS strings index UTF-16 units, so slicing
 * by location goes through the bytes; ASCII text, the common case, skips the copy.
 */
export function sliceBytes(sql: string, start: number, end: number | undefined): string {
  if (isAscii(sql)) return sql.slice(start, end);
  return Buffer.from(sql, 'utf8').subarray(start, end).toString('utf8');
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

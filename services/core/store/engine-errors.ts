import { TollgateError, isTollgateError } from '../errors.js';

// ClickHouse error codes the store turns into their own TG_ERR_ codes.
const READONLY = 164;
const TIMEOUT_EXCEEDED = 159;
const TOO_MANY_ROWS_OR_BYTES = 396;

/** The ClickHouse error code of an engine error from chdb (`clickhouseCode`) or @clickhouse/client (`code`). */
export function clickhouseCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { clickhouseCode, code } = err as { clickhouseCode?: unknown; code?: unknown };
  if (typeof clickhouseCode === 'number') return clickhouseCode;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  return undefined;
}

/**
 * Wraps an engine error in a TollgateError: READONLY becomes TG_ERR_READ_ONLY, timeouts
 * TG_ERR_TIMEOUT, everything else TG_ERR_STORE. `operation` says what was attempted, for the message.
 */
export function storeError(err: unknown, operation: string, context: Record<string, unknown> = {}): TollgateError {
  if (isTollgateError(err)) return err;
  const clickhouseCode = clickhouseCodeOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  const ctx = { ...context, ...(clickhouseCode === undefined ? {} : { clickhouseCode }) };
  if (clickhouseCode === READONLY) {
    return new TollgateError('TG_ERR_READ_ONLY', `${operation} refused: the query is read-only (${firstLine(detail)})`, {
      cause: err,
      context: ctx,
    });
  }
  const chdbTimeout = typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'CHDB_TIMEOUT';
  const timedOut = clickhouseCode === TIMEOUT_EXCEEDED || chdbTimeout;
  if (timedOut) {
    return new TollgateError('TG_ERR_TIMEOUT', `${operation} ran past its time limit (${firstLine(detail)})`, { cause: err, context: ctx });
  }
  const hint = clickhouseCode === TOO_MANY_ROWS_OR_BYTES ? ' (result larger than maxResultRows)' : '';
  return new TollgateError('TG_ERR_STORE', `${operation} failed${hint}: ${firstLine(detail)}`, { cause: err, context: ctx });
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 500)}...` : line;
}

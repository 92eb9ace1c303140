import { TollgateError } from '../errors.js';

/**
 * Parses JSONEachRow output into row objects with one JSON.parse: rows are separated by raw
 * newlines, which JSON escapes inside strings, so joining the lines with commas makes an array.
 */
export function parseJsonEachRow<T>(text: string): T[] {
  const body = text.trimEnd();
  if (body.length === 0) return [];
  let rows: unknown;
  try {
    rows = JSON.parse(`[${body.replaceAll('\n', ',')}]`);
  } catch (cause) {
    throw notRows(cause);
  }
  const first = (rows as unknown[])[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first)) throw notRows(undefined);
  return rows as T[];
}

function notRows(cause: unknown): TollgateError {
  return new TollgateError('TG_ERR_STORE', 'the query result is not JSONEachRow (remove any FORMAT clause from the query)', { cause });
}

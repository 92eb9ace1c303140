import { TollgateError } from '../errors.js';

/**
 * Parses JSONEachRow output into row objects with one JSON.parse: rows are separated by raw
 * newlines, which JSON escapes inside strings, so joining the lines with commas makes an array.
 */
export function parseJsonEachRow<T>(text: string): T[] {
  const body = text.trimEnd();
  if (body.length === 0) return [];
  try {
    return JSON.parse(`[${body.replaceAll('\n', ',')}]`) as T[];
  } catch (cause) {
    throw new TollgateError('TG_ERR_STORE', 'the query result is not JSONEachRow (remove any FORMAT clause from the query)', {
      cause,
    });
  }
}

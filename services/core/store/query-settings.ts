import { TollgateError } from '../errors.js';
import type { QueryOptions } from './port.js';
import { assertReadOnlyStatement } from './readonly-guard.js';

/**
 * Engine settings enforcing a query's options. readonly=1 is what refuses writes and SET; the
 * limits throw rather than truncate, so a caller never mistakes a cut result for a whole one.
 */
export function querySettings(options: QueryOptions = {}): Record<string, number | string> {
  const settings: Record<string, number | string> = { output_format_json_quote_64bit_integers: 1 };
  if (options.maxResultRows !== undefined) {
    settings.max_result_rows = positive('maxResultRows', options.maxResultRows, true);
    settings.result_overflow_mode = 'throw';
  }
  if (options.maxExecutionSeconds !== undefined) {
    settings.max_execution_time = positive('maxExecutionSeconds', options.maxExecutionSeconds, false);
    settings.timeout_overflow_mode = 'throw';
  }
  if (options.readOnly === true) settings.readonly = 1;
  return settings;
}

/** Checks a statement before it reaches the engine: read-only ones go through the guard. */
export function checkStatement(sql: string, options: QueryOptions = {}): void {
  if (options.readOnly === true) assertReadOnlyStatement(sql);
}

function positive(name: string, value: number, integer: boolean): number {
  const ok = Number.isFinite(value) && value > 0 && (!integer || Number.isSafeInteger(value));
  if (!ok) {
    throw new TollgateError('TG_ERR_STORE', `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`, {
      context: { option: name },
    });
  }
  return value;
}

import { TollgateError } from '../errors.js';
import { formatDateTime, formatDate } from './time-format.js';
import { quoteArrayString, TsvWriter } from './tsv-writer.js';

/** A column as the engine describes it (system.columns). */
export interface ColumnInfo {
  name: string;
  type: string;
}

/** Writes one value of a column into a TSV field; `undefined` was handled by the caller. */
type FieldEncoder = (value: unknown, out: TsvWriter, column: string) => void;
/** Formats one value as an element inside an array field. */
type ElementFormatter = (value: unknown, column: string) => string;

interface CompiledColumn {
  name: string;
  encode: FieldEncoder;
}

/**
 * Row values by column type (README "Row values"): strings or bytes for String, number/bigint for
 * integers, boolean for Bool, epoch microseconds (number or bigint), a Date or 'YYYY-MM-DD hh:mm:ss'
 * for DateTime64, arrays for Array. A missing key or null in a non-Nullable column takes the
 * column's default.
 */
export function compileColumns(columns: readonly ColumnInfo[]): CompiledColumn[] {
  return columns.map((c) => ({ name: c.name, encode: fieldEncoder(c.type, c.name) }));
}

/** Encodes rows as one TabSeparated payload with the columns in `columns` order. */
export function encodeRows(table: string, columns: readonly CompiledColumn[], rows: readonly Record<string, unknown>[]): Buffer {
  const out = new TsvWriter();
  for (const row of rows) {
    let seen = 0;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i] as CompiledColumn;
      if (i > 0) out.raw('\t');
      const value = row[column.name];
      if (value === undefined) continue;
      seen++;
      column.encode(value, out, column.name);
    }
    // Object.keys(...).length rides V8's enum cache; the exact count only runs on a mismatch.
    if (seen !== Object.keys(row).length && seen !== countKeys(row)) throw unknownColumn(table, row, columns);
    out.raw('\n');
  }
  return out.finish();
}

function countKeys(row: Record<string, unknown>): number {
  let n = 0;
  for (const key in row) if (row[key] !== undefined) n++;
  return n;
}

function unknownColumn(table: string, row: Record<string, unknown>, columns: readonly CompiledColumn[]): TollgateError {
  const known = new Set(columns.map((c) => c.name));
  const unknown = Object.keys(row).filter((k) => !known.has(k));
  return new TollgateError('TG_ERR_STORE', `table ${table} has no column ${unknown.join(', ')}`, {
    context: { table, unknownColumns: unknown },
  });
}

function fieldEncoder(type: string, column: string): FieldEncoder {
  const inner = unwrap(type, 'LowCardinality');
  const nullableOf = unwrap(inner, 'Nullable');
  if (nullableOf !== inner) {
    const encode = fieldEncoder(nullableOf, column);
    return (v, out, col) => (v === null ? out.raw('\\N') : encode(v, out, col));
  }
  if (inner === 'String' || inner.startsWith('FixedString(') || inner.startsWith('Enum')) {
    return (v, out, col) => {
      if (typeof v === 'string') out.string(v);
      else if (v instanceof Uint8Array) out.bytes(v);
      else if (v !== null) throw badValue(col, inner, v);
    };
  }
  const element = elementFormatter(inner, column);
  // Formatters only emit escaped or validated text, so it goes in raw.
  return (v, out, col) => {
    if (v !== null) out.raw(element(v, col));
  };
}

function elementFormatter(type: string, column: string): ElementFormatter {
  const inner = unwrap(unwrap(type, 'LowCardinality'), 'Nullable');
  if (inner === 'String' || inner.startsWith('FixedString(') || inner.startsWith('Enum')) {
    return (v, col) => (typeof v === 'string' ? quoteArrayString(v) : v === null ? 'NULL' : fail(col, inner, v));
  }
  if (inner === 'Bool') return (v, col) => (typeof v === 'boolean' ? String(v) : fail(col, inner, v));
  if (/^U?Int\d+$/.test(inner)) return (v, col) => formatInteger(v, col, inner);
  if (/^Float\d+$|^Decimal/.test(inner)) return (v, col) => formatNumber(v, col, inner);
  if (inner.startsWith('DateTime64(') || inner === 'DateTime' || inner.startsWith('DateTime(')) {
    const scale = inner.startsWith('DateTime64(') ? Number(/\((\d+)/.exec(inner)?.[1] ?? 3) : 0;
    return (v, col) => formatDateTime(v, scale) ?? fail(col, inner, v);
  }
  if (inner === 'Date' || inner === 'Date32') return (v, col) => formatDate(v) ?? fail(col, inner, v);
  const arrayOf = unwrap(inner, 'Array');
  if (arrayOf !== inner) {
    const item = elementFormatter(arrayOf, column);
    return (v, col) => (Array.isArray(v) ? `[${v.map((x) => item(x, col)).join(',')}]` : fail(col, inner, v));
  }
  throw new TollgateError('TG_ERR_STORE', `column ${column} has type ${type}, which the store cannot encode`);
}

function unwrap(type: string, wrapper: string): string {
  return type.startsWith(`${wrapper}(`) && type.endsWith(')') ? type.slice(wrapper.length + 1, -1) : type;
}

function formatInteger(v: unknown, column: string, type: string): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^-?\d{1,40}$/.test(v)) return v;
  if (typeof v === 'boolean') return v ? '1' : '0';
  return fail(column, type, v);
}

function formatNumber(v: unknown, column: string, type: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) return v;
  return fail(column, type, v);
}

function fail(column: string, type: string, value: unknown): never {
  throw badValue(column, type, value);
}

function badValue(column: string, type: string, value: unknown): TollgateError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new TollgateError('TG_ERR_STORE', `column ${column} (${type}) cannot take a value of type ${got}`, {
    context: { column, type, got },
  });
}

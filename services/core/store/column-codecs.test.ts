import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { compileColumns, encodeRows } from './column-codecs.js';

/** Short strings rich in TSV specials, quotes and non-ASCII. */
const awkwardText = fc.string({ unit: fc.oneof(
  fc.constantFrom("'", '"', '`', '\\', ';', '\n', '\r', '\t', '\0', '-', '/', '*', '#', '(', ')', '$', 'é', '🦀', '\u2028', ' '),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
), maxLength: 80 });

const columns = compileColumns([
  { name: 's', type: 'String' },
  { name: 'lc', type: 'LowCardinality(String)' },
  { name: 'n', type: 'UInt64' },
  { name: 'i', type: 'Nullable(Int32)' },
  { name: 'f', type: 'Float64' },
  { name: 'b', type: 'Bool' },
  { name: 'ts', type: "DateTime64(6, 'UTC')" },
  { name: 'arr', type: 'Array(String)' },
]);
const encode = (rows: Record<string, unknown>[]): string => encodeRows('t', columns, rows).toString('latin1');

/** Reads one TSV String field back the way ClickHouse does. */
function unescapeField(field: string): string {
  return field.replace(/\\(.)/gs, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '0': '\0' })[c] ?? c);
}

describe('encodeRows', () => {
  it('writes one line per row, fields in column order, missing values empty', () => {
    const text = encode([{ s: 'a', n: 1 }, { lc: 'x', i: null, b: true }]);
    expect(text).toBe('a\t\t1\t\t\t\t\t\n\tx\t\t\\N\t\ttrue\t\t\n');
  });

  it('escapes tabs, newlines, backslashes and NULs so a value can never split a row', () => {
    fc.assert(
      fc.property(awkwardText, (s) => {
        const line = encodeRows('t', columns, [{ s }]).toString('utf8');
        const fields = line.slice(0, -1).split('\t');
        expect(fields).toHaveLength(8);
        expect(unescapeField(fields[0] ?? '')).toBe(s);
      }),
    );
  });

  it('passes bytes through unchanged except the TSV specials', () => {
    const bytes = Buffer.from([0x00, 0x5c, 0x09, 0x0a, 0x0d, 0xff, 0x80, 0x41]);
    const out = encodeRows('t', columns, [{ s: bytes }]);
    expect([...out.subarray(0, 13)]).toEqual([0x5c, 0x30, 0x5c, 0x5c, 0x5c, 0x74, 0x5c, 0x6e, 0x5c, 0x72, 0xff, 0x80, 0x41]);
  });

  it('quotes array elements with backslash escapes', () => {
    const text = encode([{ arr: ["o'neil", 'back\\slash', 'tab\there', ''] }]);
    expect(text.split('\t')[7]).toBe("['o\\'neil','back\\\\slash','tab\\there','']\n");
  });

  it('formats 64-bit integers exactly from bigint and decimal strings', () => {
    const text = encode([{ n: 18446744073709551615n }, { n: '18446744073709551615' }]);
    expect(text.split('\n').map((l) => l.split('\t')[2])).toEqual(['18446744073709551615', '18446744073709551615', undefined]);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ n: 1.5 }, 'fractional integer'],
    [{ n: '1; DROP TABLE t' }, 'non-numeric string'],
    [{ n: Number.NaN }, 'NaN'],
    [{ f: Infinity }, 'infinite float'],
    [{ b: 'yes' }, 'string for Bool'],
    [{ ts: 'yesterday' }, 'unparseable time'],
    [{ ts: Number.MAX_SAFE_INTEGER * 10 }, 'unsafe integer time'],
    [{ ts: new Date(Number.NaN) }, 'invalid Date'],
    [{ arr: 'not an array' }, 'string for Array'],
    [{ arr: [1] }, 'number inside Array(String)'],
    [{ s: 42 }, 'number for String'],
    [{ s: { toString: () => 'x' } }, 'object for String'],
    [{ nope: 1 }, 'unknown column'],
  ])('refuses %o (%s) with TG_ERR_STORE', (row) => {
    let err: unknown;
    try {
      encode([row]);
    } catch (e) {
      err = e;
    }
    expect(isTollgateError(err, 'TG_ERR_STORE')).toBe(true);
  });

  it('treats undefined like a missing key', () => {
    expect(encode([{ s: 'a', n: undefined }])).toBe(encode([{ s: 'a' }]));
  });

  it('refuses column types it cannot encode when compiling', () => {
    expect(() => compileColumns([{ name: 'm', type: 'Map(String, String)' }])).toThrow(/cannot encode/);
  });
});

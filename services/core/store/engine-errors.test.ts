import { describe, expect, it } from 'vitest';
import { TollgateError } from '../errors.js';
import { clickhouseCodeOf, storeError } from './engine-errors.js';

const chdbError = (clickhouseCode: number, message: string): Error => Object.assign(new Error(message), { code: 'CHDB_QUERY', clickhouseCode });
const httpError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('storeError', () => {
  it.each([
    [chdbError(164, 'Code: 164. Cannot execute query in readonly mode. (READONLY)'), 'TG_ERR_READ_ONLY'],
    [httpError('164', 'Cannot execute query in readonly mode'), 'TG_ERR_READ_ONLY'],
    [chdbError(159, 'Timeout exceeded: elapsed 0.3 seconds'), 'TG_ERR_TIMEOUT'],
    [Object.assign(new Error('Query timed out'), { code: 'CHDB_TIMEOUT' }), 'TG_ERR_TIMEOUT'],
    [chdbError(396, 'Limit for result exceeded'), 'TG_ERR_STORE'],
    [httpError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8123'), 'TG_ERR_STORE'],
    ['a string was thrown', 'TG_ERR_STORE'],
    [undefined, 'TG_ERR_STORE'],
  ])('maps %o to %s, keeping the cause', (err, code) => {
    const mapped = storeError(err, 'query');
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(err);
  });

  it('keeps the first line of the engine message, bounded, and the ClickHouse code in context', () => {
    const mapped = storeError(chdbError(62, `Code: 62. Syntax error ${'x'.repeat(2000)}\nstack trace`), 'query', { sql: 'SELEC 1' });
    expect(mapped.message).toMatch(/^query failed: Code: 62\. Syntax error x+\.\.\.$/);
    expect(mapped.message.length).toBeLessThan(600);
    expect(mapped.context).toEqual({ sql: 'SELEC 1', clickhouseCode: 62 });
  });

  it('passes TollgateErrors through unchanged', () => {
    const original = new TollgateError('TG_ERR_READ_ONLY', 'refused');
    expect(storeError(original, 'query')).toBe(original);
  });
});

describe('clickhouseCodeOf', () => {
  it('reads numeric codes only', () => {
    expect(clickhouseCodeOf(chdbError(60, 'x'))).toBe(60);
    expect(clickhouseCodeOf(httpError('81', 'x'))).toBe(81);
    expect(clickhouseCodeOf(httpError('ECONNRESET', 'x'))).toBeUndefined();
    expect(clickhouseCodeOf(null)).toBeUndefined();
  });
});

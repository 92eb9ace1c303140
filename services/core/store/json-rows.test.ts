import { describe, expect, it } from 'vitest';
import { parseJsonEachRow } from './json-rows.js';

describe('parseJsonEachRow', () => {
  it('parses rows whose strings hold escaped newlines', () => {
    expect(parseJsonEachRow('{"a":"x\\ny"}\n{"a":"z"}\n')).toEqual([{ a: 'x\ny' }, { a: 'z' }]);
    expect(parseJsonEachRow('')).toEqual([]);
  });

  it('refuses output that is not JSONEachRow', () => {
    expect(() => parseJsonEachRow('1,2\n3,4\n')).toThrow(/not JSONEachRow/);
  });
});

import { describe, expect, it } from 'vitest';
import { compileMaskingProfile } from '../../core/masking/index.js';
import { ColumnCatalog } from './column-catalog.js';
import type { FieldDescription } from './protocol/index.js';
import { decodeDataRow, encodeDataRow } from './protocol/backend-results.js';
import { ResultMasking } from './result-masking.js';
import { loadGuardrailParser } from './guardrails/index.js';

// COPY statements are read with the guardrails' parser; without it every COPY is withheld (fail closed).
await loadGuardrailParser();

const plan = compileMaskingProfile({ columns: [{ column: 'users.email' }], detectors: ['card'] });
const catalog = {
  missing: () => [],
  column: (oid: number, att: number, name: string, format: 'text' | 'binary') => (oid === 0 ? { name, format } : { schema: 'public', table: 'users', name: att === 1 ? 'email' : 'id', format }),
} as unknown as ColumnCatalog;
const field = (name: string, attr: number): FieldDescription => ({ name, tableOid: 5, columnAttr: attr, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 });
const row = (...values: (string | null)[]) => decodeDataRow(encodeDataRow(values.map((v) => (v === null ? null : Buffer.from(v))))) as unknown as { values: readonly (Buffer | null)[] };
const values = (b: Buffer | undefined) => (b === undefined ? undefined : (decodeDataRow(b) as unknown as { values: readonly (Buffer | null)[] }).values.map((v) => v?.toString() ?? null));

describe('result masking across the extended protocol', () => {
  it('uses a statement description plus the Bind result formats when the portal is not described', () => {
    const m = new ResultMasking(plan, catalog);
    m.onDescribe('S', 'st');
    m.onRowDescription([field('contact', 1), field('id', 2)]);
    m.onBind('', 'st', [1]);
    m.onExecute('');
    // Binary format: the email rule withholds the value as NULL instead of splicing bytes.
    expect(values(m.dataRow(row('a@b.co', '1')))).toEqual([null, '1']);
    m.onResultEnd();
    m.onBind('', 'st', [0]);
    m.onExecute('');
    expect(values(m.dataRow(row('a@b.co', '1')))).toEqual(['****', '1']);
  });

  it('follows the portal of each Execute when several are pipelined', () => {
    const m = new ResultMasking(plan, catalog);
    m.onDescribe('P', 'p1');
    m.onDescribe('P', 'p2');
    m.onExecute('p1');
    m.onExecute('p2');
    m.onRowDescription([field('email', 1)]);
    m.onRowDescription([{ ...field('n', 0), tableOid: 0 }]);
    expect(values(m.dataRow(row('a@b.co')))).toEqual(['****']);
    m.onResultEnd();
    expect(m.dataRow(row('plain'))).toBeUndefined();
    expect(values(m.dataRow(row('4111 1111 1111 1111')))).toEqual(['**** **** **** 1111']);
  });

  it('withholds rows of a closed or forgotten portal and of results after an error', () => {
    const m = new ResultMasking(plan, catalog);
    m.onDescribe('P', 'p');
    m.onRowDescription([field('id', 2)]);
    m.onClose('P', 'p');
    m.onExecute('p');
    expect(values(m.dataRow(row('1')))).toEqual(['[WITHHELD]']);
    m.onError();
    expect(values(m.dataRow(row('1')))).toEqual(['[WITHHELD]']);
  });

  it('COPY of a relation with a column list is masked by column; COPY (query) is withheld when rules exist', () => {
    const m = new ResultMasking(plan, catalog);
    m.onQuery('COPY users (id, email) TO STDOUT; COPY (SELECT 1) TO STDOUT');
    expect(m.onCopyOut(0, [0, 0]).kind).toBe('rows');
    expect(m.copyData(Buffer.from('1\ta@b.co\n'))?.toString()).toBe('1\t****\n');
    m.onResultEnd();
    expect(m.onCopyOut(0, [0])).toMatchObject({ kind: 'withhold' });
    expect(m.copyData(Buffer.from('1\n'))).toBeNull();
    expect(new ResultMasking(plan, catalog).onCopyOut(1, [1])).toMatchObject({ kind: 'withhold', reason: expect.stringMatching(/binary/) as unknown });
  });
});

describe('column plans reused across executions', () => {
  it('follows a catalog reload: a cached plan is not used once the catalog loaded anything', async () => {
    const columns = new Map([[1, { schema: 'public', table: 'users', name: 'email' }], [2, { schema: 'public', table: 'users', name: 'id' }]]);
    const source = { columnsByOid: () => Promise.resolve(new Map([[5, new Map(columns)]])), columnsByName: () => Promise.resolve(undefined), close: () => Promise.resolve() };
    const real = new ColumnCatalog(source, () => 0);
    await real.load([5]);
    const m = new ResultMasking(plan, real);
    const run = () => {
      m.onRowDescription([field('a', 1), field('b', 2)]);
      const out = values(m.dataRow(row('x@y.co', '7')));
      m.onResultEnd();
      return out;
    };
    expect(run()).toEqual(['****', '7']);
    expect(run()).toEqual(['****', '7']);
    // The table was recreated with its columns swapped: the next identical description masks the other column.
    columns.set(1, { schema: 'public', table: 'users', name: 'id' });
    columns.set(2, { schema: 'public', table: 'users', name: 'email' });
    await real.load([5]);
    expect(run()).toEqual(['x@y.co', '****']);
  });
});

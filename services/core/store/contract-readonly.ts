import { describe, expect, it } from 'vitest';
import { expectCode } from './contract-fixtures.js';
import type { Store } from './port.js';

/** Read-only and limit behaviour of the Store contract; `store` is the suite's open store. */
export function readOnlyContract(store: () => Store): void {
  describe('read-only queries', () => {
    const refusedStatements = [
      "INSERT INTO frames (session_id) VALUES ('x')",
      'ALTER TABLE frames DELETE WHERE 1',
      'SET readonly = 0',
      'DROP TABLE frames',
      'TRUNCATE TABLE frames',
      'KILL QUERY WHERE 1',
      'SELECT 1; DROP TABLE frames',
      "SELECT file('/etc/passwd')",
      'SELECT `file`(\'/etc/passwd\')',
      "SELECT * FROM url('http://127.0.0.1:1/', 'CSV', 'x String')",
      "SELECT 1 INTO OUTFILE '/tmp/tollgate-contract-outfile'",
    ];

    it.each(refusedStatements)('refuses %s', async (sql) => {
      await expectCode(store().query(sql, undefined, { readOnly: true }), 'TG_ERR_READ_ONLY');
    });

    it('is enforced by the engine, not only by the statement guard', async () => {
      // These pass the guard (they are SELECTs); readonly=1 in the engine refuses the settings change.
      await expectCode(store().query('SELECT 1 SETTINGS readonly = 0', undefined, { readOnly: true }), 'TG_ERR_READ_ONLY');
      await expectCode(store().query('SELECT 1 SETTINGS max_result_rows = 0', undefined, { readOnly: true, maxResultRows: 1 }), 'TG_ERR_READ_ONLY');
      const frames = await store().query('SELECT count() AS c FROM frames', undefined, { readOnly: true });
      expect(frames).toHaveLength(1);
    });

    it('stops a query at maxExecutionSeconds with TG_ERR_TIMEOUT', async () => {
      const endless = 'SELECT count() FROM system.numbers WHERE NOT ignore(sipHash64(number))';
      await expectCode(store().query(endless, undefined, { readOnly: true, maxExecutionSeconds: 0.3 }), 'TG_ERR_TIMEOUT');
    });

    it('enforces maxResultRows in the engine and rejects nonsense limits', async () => {
      const sql = 'SELECT number FROM system.numbers LIMIT {n:UInt32}';
      expect(await store().query(sql, { n: 10 }, { readOnly: true, maxResultRows: 10 })).toHaveLength(10);
      await expectCode(store().query(sql, { n: 11 }, { readOnly: true, maxResultRows: 10 }), 'TG_ERR_STORE');
      await expectCode(store().query(sql, { n: 100_000 }, { maxResultRows: 10 }), 'TG_ERR_STORE');
      for (const bad of [0, -1, 1.5, Number.NaN]) await expectCode(store().query('SELECT 1', undefined, { maxResultRows: bad }), 'TG_ERR_STORE');
    });
  });
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { runStoreContract } from './contract.js';
import { openStore } from './open.js';

// libchdb binds one data directory per process: this file owns its fork (vitest pool 'forks') and
// every store in it uses the same temporary directory.
const dir = await mkdtemp(join(tmpdir(), 'tollgate-chdb-contract-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

runStoreContract('chdb', (options) => openStore({ kind: 'chdb', path: dir, ...options }));

describe('chdb: one data directory per process', () => {
  it('refuses a store at another path while one is open, and allows it once all are closed', async () => {
    const first = await openStore({ kind: 'chdb', path: dir });
    const sibling = await openStore({ kind: 'chdb', path: `${dir}/.` });
    const other = join(dir, 'elsewhere');
    const err: unknown = await openStore({ kind: 'chdb', path: other }).catch((e: unknown) => e);
    expect(isTollgateError(err, 'TG_ERR_STORE_BOUND')).toBe(true);
    expect((err as Error).message).toContain(dir);
    await first.close();
    await expect(openStore({ kind: 'chdb', path: other })).rejects.toThrow(/bound/);
    await sibling.close();
    const moved = await openStore({ kind: 'chdb', path: other });
    expect(await moved.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await moved.close();
  });
});

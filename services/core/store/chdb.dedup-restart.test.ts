import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleRows } from './contract-fixtures.js';
import { openStore } from './open.js';
import type { Store } from './port.js';

// One data directory for this file's fork (libchdb binds one per process).
const dir = await mkdtemp(join(tmpdir(), 'tollgate-chdb-dedup-restart-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const count = async (store: Store, id: string): Promise<number> =>
  Number((await store.query<{ c: string }>('SELECT count() AS c FROM frames WHERE session_id = {s:String}', { s: id }))[0]?.c);

describe('chdb dedup tokens across a restart', () => {
  it('a batch re-sent with the same token after the store was closed and reopened is still dropped', async () => {
    const id = `restart-${Date.now()}`;
    const rows = sampleRows('frames', id);
    const token = `tollgate.frames.v1/0/100-102/frames`;
    const first = await openStore({ kind: 'chdb', path: dir });
    await first.migrate();
    await first.insert('frames', rows, { dedupToken: token });
    await first.close();
    // The crash-then-redeliver case: the consumer never committed, so ingest rebuilds the batch.
    const second = await openStore({ kind: 'chdb', path: dir });
    await second.insert('frames', rows, { dedupToken: token });
    expect(await count(second, id)).toBe(rows.length);
    await second.insert('frames', rows, { dedupToken: `${token}-other` });
    expect(await count(second, id)).toBe(rows.length * 2);
    await second.close();
    // The window lives in the data directory (MergeTree's deduplication log), not in process memory,
    // so it also survives a process restart.
    const files = await readdir(dir, { recursive: true });
    expect(files.some((f) => String(f).includes('deduplication_logs'))).toBe(true);
  });

  it('a batch split differently on redelivery carries different tokens: tokens dedupe only identical batches', async () => {
    const id = `split-${Date.now()}`;
    const rows = sampleRows('frames', id);
    const store = await openStore({ kind: 'chdb', path: dir });
    await store.insert('frames', rows, { dedupToken: 't/0/0-2' });
    await store.insert('frames', rows.slice(0, 2), { dedupToken: 't/0/0-1' });
    // The documented limit: the same records under another token are written again.
    expect(await count(store, id)).toBe(rows.length + 2);
    await store.close();
  });
});

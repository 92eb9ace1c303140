import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe } from 'vitest';
import { runStoreContract } from './contract.js';
import { openStore } from './open.js';

const url = process.env.CLICKHOUSE_URL;
if (!url) {
  console.log('clickhouse store contract skipped: set CLICKHOUSE_URL (e.g. http://127.0.0.1:8123) to run it against a server');
}

describe.skipIf(!url)('clickhouse store (CLICKHOUSE_URL)', () => {
  // Each run gets its own database, dropped afterwards.
  const database = `tollgate_contract_${Date.now()}`;
  const username = process.env.CLICKHOUSE_USER ?? 'default';
  const password = process.env.CLICKHOUSE_PASSWORD ?? '';
  const admin = createClient({ url: url ?? 'http://127.0.0.1:8123', username, password });

  beforeAll(async () => {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  });
  afterAll(async () => {
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await admin.close();
  });

  runStoreContract('clickhouse', (options) =>
    openStore({ kind: 'clickhouse', url: url ?? '', username, password, database, ...options }),
  );
});

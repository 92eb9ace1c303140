import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { ConnectionConfig } from '../../core/config/index.js';
import type { CatalogColumn, CatalogSource } from './column-catalog.js';

type PostgresConnection = Extract<ConnectionConfig, { protocol: 'postgres' }>;

const BY_OID = `
SELECT c.oid::int8 AS oid, a.attnum::int4 AS attnum, n.nspname AS schema, c.relname AS table, a.attname AS name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
WHERE c.oid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped`;

const BY_NAME = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
WHERE c.oid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** node-postgres TLS options for a connection's upstream.tls settings. */
export function pgSsl(conn: PostgresConnection): pg.ClientConfig['ssl'] {
  const tls = conn.upstream.tls;
  if (tls.mode === 'disable') return false;
  return {
    rejectUnauthorized: tls.mode === 'verify-full',
    ...(tls.caPath === undefined ? {} : { ca: readFileSync(tls.caPath) }),
    ...(tls.certPath === undefined ? {} : { cert: readFileSync(tls.certPath) }),
    ...(tls.keyPath === undefined ? {} : { key: readFileSync(tls.keyPath) }),
    ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
  };
}

/**
 * Catalog lookups over one metadata connection per connection config (not the client's own
 * connection, whose transaction state and search_path belong to the client). Connected lazily,
 * reconnected after an error; lookups on one connection are serialised by node-postgres.
 */
export class PgCatalogSource implements CatalogSource {
  private client: Promise<pg.Client> | undefined;

  constructor(private readonly conn: PostgresConnection) {}

  async columnsByOid(oids: readonly number[]): Promise<Map<number, Map<number, CatalogColumn>>> {
    const rows = await this.query<{ oid: string; attnum: number; schema: string; table: string; name: string }>(BY_OID, [oids.map(String)]);
    const out = new Map<number, Map<number, CatalogColumn>>();
    for (const oid of oids) out.set(oid, new Map());
    for (const r of rows) out.get(Number(r.oid))?.set(r.attnum, { schema: r.schema, table: r.table, name: r.name });
    return out;
  }

  async columnsByName(schema: string | undefined, table: string): Promise<CatalogColumn[] | undefined> {
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const name = schema === undefined ? quote(table) : `${quote(schema)}.${quote(table)}`;
    const rows = await this.query<CatalogColumn>(BY_NAME, [name]);
    return rows.length === 0 ? undefined : rows;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c !== undefined) await c.then((client) => client.end()).catch(() => undefined);
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
    const client = await this.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private connect(): Promise<pg.Client> {
    if (this.client !== undefined) return this.client;
    const c = this.conn;
    const client = new pg.Client({
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.upstream.user,
      ...(c.upstream.password === undefined ? {} : { password: c.upstream.password.reveal() }),
      ssl: pgSsl(c),
      application_name: 'tollgate-catalog',
      connectionTimeoutMillis: 5000,
      statement_timeout: 5000,
    });
    client.on('error', () => {
      this.client = undefined;
    });
    this.client = client.connect().then(() => client);
    this.client.catch(() => {
      this.client = undefined;
    });
    return this.client;
  }
}

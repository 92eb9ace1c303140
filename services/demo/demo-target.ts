import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findPostgresBin, startPostgresServer } from './postgres-server.js';
import { demoSchemaSql } from './seed-data.js';

/** The demo database the gateway fronts: a real PostgreSQL when installed, else PGlite over the wire. */
export interface DemoTarget {
  kind: 'postgresql' | 'pglite';
  host: string;
  port: number;
  database: string;
  /** The login only the gateway holds. */
  user: string;
  /** Undefined when the target trusts loopback logins (PGlite). */
  password: string | undefined;
  stop(): Promise<void>;
}

/** A free loopback port (the OS picks; a race with another process is possible but harmless here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Starts (and on first use seeds) the demo database under dir. */
export async function startDemoTarget(dir: string): Promise<DemoTarget> {
  const port = await freePort();
  if (findPostgresBin() !== undefined) {
    // A fresh cluster in the system temp folder: the server runs as the postgres user, which may not
    // traverse the data directory's parents; the demo data is seeded anew on every start.
    const server = await startPostgresServer({ port });
    // A fresh gateway password per start: it lives only in this process's memory.
    const password = randomBytes(18).toString('base64url');
    await untilAccepting(() => server.psql('SELECT 1'));
    server.psql(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tollgate_gateway') THEN CREATE ROLE tollgate_gateway LOGIN; END IF; END $$;
      ALTER ROLE tollgate_gateway PASSWORD '${password}';`);
    if (server.psql("SELECT 1 FROM pg_database WHERE datname = 'shop'").trim() !== '1') server.psql('CREATE DATABASE shop');
    server.psql(demoSchemaSql(), 'shop');
    server.psql('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tollgate_gateway', 'shop');
    return { kind: 'postgresql', host: '127.0.0.1', port, database: 'shop', user: 'tollgate_gateway', password, stop: () => server.stop() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(join(dir, 'pglite'));
  await db.exec(demoSchemaSql());
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 16 });
  await server.start();
  return {
    kind: 'pglite', host: '127.0.0.1', port, database: 'postgres', user: 'postgres', password: undefined,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** The port opens before PostgreSQL accepts logins ("the database system is starting up"): retry briefly. */
async function untilAccepting(probe: () => unknown): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      probe();
      return;
    } catch (err) {
      if (attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

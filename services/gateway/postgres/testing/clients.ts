import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import pg from 'pg';

export interface PsqlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real psql against the gateway with the token as password. */
export function psql(port: number, connection: string, token: string, sql: string, extra: { conninfo?: string; args?: string[] } = {}): Promise<PsqlResult> {
  const conninfo = `host=127.0.0.1 port=${port} dbname=${connection} user=someone ${extra.conninfo ?? 'sslmode=disable'}`;
  return new Promise((resolve) => {
    execFile('/usr/bin/psql', [conninfo, '-X', '-q', '-A', '-t', ...(extra.args ?? ['-v', 'ON_ERROR_STOP=1', '-c', sql])], {
      env: { ...process.env, PGPASSWORD: token, PGCONNECT_TIMEOUT: '10' },
      timeout: 20_000,
    }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

/** A node-postgres client through the gateway (connected). */
export async function pgClient(port: number, connection: string, token: string, ssl: pg.ClientConfig['ssl'] = false): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, database: connection, user: 'someone', password: token, ssl });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A raw TCP socket to the gateway that collects everything it receives. */
export function rawSocket(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => resolve({ socket, received: () => Buffer.concat(chunks), closed }));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', reject);
  });
}

/** Runs a query asking for binary-format results (node-postgres supports it; its types do not say so). */
export async function binaryQuery(client: pg.Client, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const config = { text, values, binary: true } as pg.QueryConfig;
  return (await client.query<Record<string, unknown>>(config)).rows;
}

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TollgateError } from '../../services/core/errors.js';
import { waitForPort, stopChild } from './processes.js';

export const PGBOUNCER_BIN = '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  /** Loopback port PgBouncer listens on. */
  port: number;
  upstreamPort: number;
  database: string;
  user: string;
  /** Plaintext in the userlist, so PgBouncer can answer the upstream's SCRAM challenge itself. */
  password: string;
  /** Server connections per user+database; at least the benchmark's client count. */
  poolSize: number;
}

export interface PgBouncer {
  port: number;
  /** The PgBouncer process itself (it drops root by itself, so no wrapper sits between). */
  pid: number | undefined;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/**
 * Starts Debian's PgBouncer in session pooling with scram-sha-256 client auth, its ini and userlist
 * in a temporary folder. PgBouncer refuses to run as root, so as root it switches to `postgres`
 * itself (`-u`): the spawned process is PgBouncer, so signals reach it (runuser would not pass them on).
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  if (!existsSync(PGBOUNCER_BIN)) {
    throw new TollgateError('TG_ERR_UPSTREAM', `no ${PGBOUNCER_BIN} (apt-get install pgbouncer)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bouncer-'));
  const ini = join(dir, 'pgbouncer.ini');
  const users = join(dir, 'userlist.txt');
  writeFileSync(users, `"${options.user}" "${options.password}"\n`, { mode: 0o600 });
  writeFileSync(ini, [
    '[databases]',
    `${options.database} = host=127.0.0.1 port=${options.upstreamPort} dbname=${options.database}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${options.port}`,
    `unix_socket_dir = ${dir}`,
    'auth_type = scram-sha-256',
    `auth_file = ${users}`,
    'pool_mode = session',
    `default_pool_size = ${options.poolSize}`,
    `max_client_conn = ${options.poolSize * 4}`,
    `logfile = ${join(dir, 'pgbouncer.log')}`,
    `pidfile = ${join(dir, 'pgbouncer.pid')}`,
    // Connection logging is per connect only, but keep the log quiet like the other paths.
    'log_connections = 0',
    'log_disconnections = 0',
    'log_stats = 0',
    '',
  ].join('\n'));
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const p of [dir, ini, users]) chownSync(p, uid, gid);
  }
  const child: ChildProcess = spawn(PGBOUNCER_BIN, isRoot ? ['-u', 'postgres', ini] : [ini], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitForPort(options.port, child, 'PgBouncer', () => stderr);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port: options.port,
    pid: child.pid,
    async stop() {
      // SIGTERM is PgBouncer's immediate shutdown (SIGINT waits for clients to leave).
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

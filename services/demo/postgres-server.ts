import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TollgateError } from '../core/errors.js';

/** A PostgreSQL server process this module started, on a loopback port. */
export interface PostgresServer {
  host: string;
  port: number;
  /** Superuser name and password (SCRAM-SHA-256). */
  superuser: string;
  password: string;
  dataDir: string;
  version: number;
  /** Runs SQL through psql as the superuser; returns stdout. */
  psql(sql: string, database?: string): string;
  stop(): Promise<void>;
}

export interface PostgresServerOptions {
  port: number;
  /** Keep data here across runs; default: a fresh temporary directory removed on stop. */
  dataDir?: string;
  password?: string;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  /** Extra pg_hba.conf lines, placed before the default SCRAM rule. */
  hbaLines?: string[];
}

/** Finds the newest Debian PostgreSQL server binaries, or undefined when none are installed. */
export function findPostgresBin(): { bin: string; version: number } | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .map(Number)
    .filter((v) => Number.isInteger(v) && existsSync(join(root, String(v), 'bin', 'postgres')))
    .sort((a, b) => b - a);
  const version = versions[0];
  return version === undefined ? undefined : { bin: join(root, String(version), 'bin'), version };
}

const isRoot = process.getuid?.() === 0;
let serverUser: { uid: number; gid: number } | undefined;

/**
 * The server refuses to run as root, so as root every server process runs as the `postgres` user.
 * Spawned with uid/gid directly (not through runuser), so signals reach the postmaster itself.
 */
function asServerUser(): { uid?: number; gid?: number } {
  if (!isRoot) return {};
  serverUser ??= {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
  return serverUser;
}

function chownToServerUser(path: string): void {
  const { uid, gid } = asServerUser();
  if (uid !== undefined && gid !== undefined) chownSync(path, uid, gid);
}

/** Initialises (when needed) and starts a real PostgreSQL server on 127.0.0.1. */
export async function startPostgresServer(options: PostgresServerOptions): Promise<PostgresServer> {
  const found = findPostgresBin();
  if (found === undefined) {
    throw new TollgateError('TG_ERR_UPSTREAM', 'no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)');
  }
  const temporary = options.dataDir === undefined;
  const base = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tollgate-pg-'));
  const dataDir = join(base, 'data');
  const socketDir = join(base, 'sock');
  const password = options.password ?? 'tollgate-demo-superuser';
  mkdirSync(socketDir, { recursive: true });
  chownToServerUser(base);
  chownToServerUser(socketDir);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const pwfile = join(base, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    chownToServerUser(pwfile);
    execFileSync(join(found.bin, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256',
      '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync',
    ], { stdio: 'pipe', cwd: base, ...asServerUser() });
    rmSync(pwfile);
    if (options.hbaLines !== undefined && options.hbaLines.length > 0) {
      const hba = ['local all all trust', ...options.hbaLines, 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n');
      writeFileSync(join(dataDir, 'pg_hba.conf'), hba);
      chownToServerUser(join(dataDir, 'pg_hba.conf'));
    }
  }

  const settings = {
    listen_addresses: '127.0.0.1', port: String(options.port), unix_socket_directories: socketDir,
    fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200',
    ...options.settings,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child = spawn(join(found.bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: base, ...asServerUser() });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  await waitForPort(options.port, child, () => stderr);
  const psqlBin = join(found.bin, 'psql');
  const psqlArgs = (sql: string, database: string) => ['-h', socketDir, '-p', String(options.port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtX', '-c', sql];
  // The port opens before start-up finishes: until then logins fail with "the database system is
  // starting up" (57P03), which a loaded machine makes visible to the first test's login.
  await waitForLogin(() => new Promise<void>((resolve, reject) => {
    execFile(psqlBin, psqlArgs('SELECT 1', 'postgres'), { cwd: base, ...asServerUser() }, (err) => (err === null ? resolve() : reject(new Error(err.message))));
  }), child, () => stderr);

  return {
    host: '127.0.0.1', port: options.port, superuser: 'postgres', password, dataDir, version: found.version,
    psql(sql, database = 'postgres') {
      return execFileSync(psqlBin, psqlArgs(sql, database), { stdio: ['ignore', 'pipe', 'pipe'], cwd: base, ...asServerUser() }).toString();
    },
    async stop() {
      await stopChild(child);
      if (temporary) rmSync(base, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new TollgateError('TG_ERR_UPSTREAM', `PostgreSQL exited during start-up: ${log().trim()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new TollgateError('TG_ERR_TIMEOUT', `PostgreSQL did not accept connections on port ${port} within 30 s: ${log().trim()}`);
}

async function waitForLogin(login: () => Promise<void>, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await login();
    } catch (err) {
      if (child.exitCode !== null) throw new TollgateError('TG_ERR_UPSTREAM', `PostgreSQL exited during start-up: ${log().trim()}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new TollgateError('TG_ERR_TIMEOUT', `PostgreSQL accepted connections but no login within 30 s: ${(err as Error).message.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // SIGINT is PostgreSQL's fast shutdown: roll back sessions, checkpoint, exit.
    child.kill('SIGINT');
  });
}

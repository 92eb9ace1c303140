/**
 * Starts librdkafka's mock cluster through Debian's `kcat` for tests (DESIGN section 8).
 * kcat runs as a consumer with `test.mock.num.brokers` set: librdkafka then serves a mock cluster
 * on loopback, logs its bootstrap servers on stderr, and serves until the process is killed.
 * The mock auto-creates topics (4 partitions) on metadata requests; it names no controller, so the
 * kafkajs admin client and the idempotent producer do not work against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';

export interface KafkaMock {
  /** `host:port` of every mock broker. */
  brokers: string[];
  /** Kills kcat and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface KafkaMockOptions {
  brokers?: number;
  /** Path or name of the kcat binary. Default: `KCAT` env, else `kcat` on PATH. */
  kcat?: string;
  startTimeoutMs?: number;
}

/** Where kcat is, or why the mock cannot run here. A name is looked up on PATH, then /usr/bin. */
export function findKcat(name = process.env.KCAT ?? 'kcat'): { path: string } | { missing: string } {
  const candidates = name.includes('/')
    ? [name] // an explicit path is used as given, never swapped for another kcat
    : [...(process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0).map((d) => join(d, name)), join('/usr/bin', name)];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return { path: candidate };
    } catch {
      // try the next one
    }
  }
  return { missing: `kcat not found (looked for ${JSON.stringify(name)}${name.includes('/') ? '' : ' on PATH and in /usr/bin'}); ` +
    'install Debian\'s kcat package (apt-get install kcat) or set KCAT to its path' };
}

/**
 * Why a mock-cluster suite should not run here, or undefined when it should. Only outside CI may a
 * missing kcat skip a suite; under CI (env CI set) the suite runs and fails with the kcat message.
 */
export function kafkaMockSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = findKcat(env.KCAT);
  if (!('missing' in found) || env.CI !== undefined) return undefined;
  return found.missing;
}

// librdkafka prints the list as `bootstrap.servers=a,b,c` (debug=mock) or `replaced with a,b,c` (notice).
// The end of line is required so a list split across two stderr chunks is never read half.
const bootstrapLine = /(?:bootstrap\.servers=|replaced with )((?:127\.0\.0\.1:\d+,?)+)\r?\n/;

/** Starts a mock cluster and resolves once its first broker accepts TCP connections. */
export async function startKafkaMock(options: KafkaMockOptions = {}): Promise<KafkaMock> {
  const found = findKcat(options.kcat);
  if ('missing' in found) throw new Error(found.missing);
  const child = spawn(found.path, [
    '-b', '127.0.0.1:1', '-X', `test.mock.num.brokers=${options.brokers ?? 3}`,
    '-C', '-t', 'tollgate-mock-warmup', '-o', 'end', '-q',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  const stop = once(() => stopChild(child).finally(() => process.removeListener('exit', killOnExit)));
  try {
    const brokers = await readBootstrap(child, options.startTimeoutMs ?? 10_000);
    await waitForPort(brokers[0] ?? '', options.startTimeoutMs ?? 10_000);
    return { brokers, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function readBootstrap(child: ChildProcess, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => fail(`no bootstrap.servers line within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`kafka mock (kcat) did not start: ${why}; stderr: ${seen.slice(-500)}`));
    };
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`kcat exited (${code ?? signal ?? '?'})`));
    // Keep draining both pipes for the whole life of kcat: a full pipe would stall the mock.
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8');
    const onData = (chunk: string): void => {
      seen += chunk;
      const match = bootstrapLine.exec(seen);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stderr?.removeListener('data', onData); // still flowing: later output is discarded
      child.stderr?.resume();
      child.removeAllListeners('exit');
      resolve(match[1].split(',').filter((b) => b.length > 0));
    };
    child.stderr?.on('data', onData);
  });
}

function waitForPort(hostPort: string, timeoutMs: number): Promise<void> {
  const [host, port] = hostPort.split(':');
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = createConnection({ host: host ?? '127.0.0.1', port: Number(port) });
      socket.once('connect', () => { socket.destroy(); resolve(); });
      socket.once('error', (err) => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`kafka mock broker ${hostPort} not reachable: ${err.message}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hardKill = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.once('exit', () => { clearTimeout(hardKill); resolve(); });
    child.kill('SIGTERM');
  });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

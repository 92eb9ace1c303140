import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { TollgateError } from '../core/errors.js';

/** A real OpenSSH sshd this module started on a loopback port, configured from scratch in its own folder. */
export interface OpenSshServer {
  port: number;
  dir: string;
  /** The account sshd can log in: the user running this process (see startOpenSshServer). */
  user: string;
  /** SHA256 fingerprint of the host key, as a connection's `hostKey` pin. */
  fingerprint: string;
  /** Private key (OpenSSH format, no passphrase) whose public half is the only authorized key. */
  clientKeyPath: string;
  /** Stops sshd (SIGTERM, then waits); removes dir when removeDirOnStop. */
  stop(): Promise<void>;
}

export interface OpenSshServerOptions {
  /** An empty folder for keys and sshd_config (sshd reads them from there). */
  dir: string;
  port: number;
  /** sshd_config lines placed before the defaults: sshd keeps the first value it reads, so these win. */
  settings?: readonly string[];
  /** Reuse this client key instead of generating one (so one gateway key opens several servers). */
  clientKeyPath?: string;
  removeDirOnStop?: boolean;
}

export const SSHD_PATH = '/usr/sbin/sshd';
const KEYGEN = '/usr/bin/ssh-keygen';

/** Why no OpenSSH server can be started here, or undefined when it can. */
export function openSshMissing(): string | undefined {
  if (!existsSync(SSHD_PATH)) return `${SSHD_PATH} is not installed (apt-get install openssh-server)`;
  if (!existsSync(KEYGEN)) return `${KEYGEN} is not installed (apt-get install openssh-client)`;
  return undefined;
}

/**
 * Starts `sshd -D` on 127.0.0.1:port with a fresh ed25519 host key and authorized_keys holding one
 * client key; public keys only, no PAM. sshd logs a user in only as itself when not root, so the
 * login account is this process's user either way (as root: root, hence `prohibit-password`).
 * The system's /etc/ssh/sshd_config and the user's ~/.ssh/authorized_keys are never read.
 */
export async function startOpenSshServer(options: OpenSshServerOptions): Promise<OpenSshServer> {
  const missing = openSshMissing();
  if (missing !== undefined) throw new TollgateError('TG_ERR_UPSTREAM', `cannot start sshd: ${missing}`);
  const { dir, port } = options;
  const user = userInfo().username;
  // As root, sshd wants its privilege-separation directory.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_key');
  execFileSync(KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'tollgate-sshd-host', '-f', hostKey]);
  const clientKeyPath = options.clientKeyPath ?? join(dir, 'client_key');
  if (options.clientKeyPath === undefined) execFileSync(KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'tollgate-gateway', '-f', clientKeyPath]);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${clientKeyPath}.pub`), { mode: 0o600 });
  const fingerprint = /SHA256:[A-Za-z0-9+/]+/.exec(execFileSync(KEYGEN, ['-l', '-f', `${hostKey}.pub`]).toString())?.[0];
  if (fingerprint === undefined) throw new TollgateError('TG_ERR_INTERNAL', `ssh-keygen printed no fingerprint for ${hostKey}.pub`);
  const config = [
    ...(options.settings ?? []),
    'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, 'PidFile none', 'UsePAM no',
    // The folder may sit under a group-writable parent (a temp or data dir): keys are ours, modes checked above.
    'StrictModes no',
    `AuthorizedKeysFile ${authorizedKeys}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes', 'PermitRootLogin prohibit-password', 'LogLevel ERROR', 'PrintMotd no', 'PrintLastLog no', 'Banner none',
  ];
  writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  const child = spawn(SSHD_PATH, ['-D', '-e', '-f', join(dir, 'sshd_config'), '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  try {
    await waitForPort(port, child, () => stderr);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    port, dir, user, fingerprint, clientKeyPath,
    async stop() {
      await stopChild(child);
      if (options.removeDirOnStop === true) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new TollgateError('TG_ERR_UPSTREAM', `sshd exited during start-up (${child.exitCode ?? child.signalCode}): ${stderr().trim()}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new TollgateError('TG_ERR_TIMEOUT', `sshd did not listen on 127.0.0.1:${port} within 10 s: ${stderr().trim()}`);
}

/** SIGTERM makes the listening sshd exit; sessions it forked end when their connections close. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

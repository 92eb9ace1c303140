import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A real OpenSSH sshd on loopback, configured from scratch in a temp dir (test and benchmark support). */
export interface Sshd {
  port: number;
  dir: string;
  /** The account sshd logs the gateway in as (the user running the tests). */
  user: string;
  /** SHA256 fingerprint of the host key, as the connection's `hostKey` pin. */
  fingerprint: string;
  /** Private key (OpenSSH format) whose public half is in authorized_keys. */
  clientKeyPath: string;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Extra sshd_config lines; they come first, so they override the defaults (sshd keeps the first value it reads). */
  extra?: string[];
  /** Reuse another sshd's client key (so one gateway key opens both). */
  clientKeyPath?: string;
}

const SSHD = '/usr/sbin/sshd';

/** Is OpenSSH's server installed where the tests expect it? */
export function sshdAvailable(): boolean {
  const found = existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');
  // In CI a missing sshd fails the run: no integration suite may skip there.
  if (!found && process.env['CI'] !== undefined) throw new Error(`CI: ${SSHD} or /usr/bin/ssh-keygen is missing (apt-get install openssh-server)`);
  return found;
}

/** A free port in 25500–25599 (the range reserved for these suites). */
export async function freeSshPort(): Promise<number> {
  const start = 25500 + Math.floor(Math.random() * 100);
  for (let i = 0; i < 100; i++) {
    const port = 25500 + ((start - 25500 + i) % 100);
    if (await canBind(port)) return port;
  }
  throw new Error('no free port in 25500-25599');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Starts sshd -D on a free loopback port with its own host key and authorized_keys. */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-sshd-'));
  const user = userInfo().username;
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  const clientKeyPath = options.clientKeyPath ?? join(dir, 'client_key');
  if (options.clientKeyPath === undefined) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', clientKeyPath]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKeyPath}.pub`), { mode: 0o600 });
  const fingerprint = /SHA256:[A-Za-z0-9+/]+/.exec(execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'host_key.pub')]).toString())![0];
  const port = await freeSshPort();
  const config = [
    ...(options.extra ?? []), `ListenAddress 127.0.0.1`, `HostKey ${join(dir, 'host_key')}`, 'PidFile none', 'UsePAM no', 'StrictModes no',
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes', 'PermitRootLogin prohibit-password', 'AllowTcpForwarding yes', 'GatewayPorts no',
    'Subsystem sftp internal-sftp', 'LogLevel ERROR', 'AcceptEnv LANG LC_* TERM TOLLGATE_TEST_*', 'MaxSessions 64', 'MaxStartups 64',
    'PrintMotd no', 'PrintLastLog no', 'Banner none',
  ];
  writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config'), '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  await waitForPort(port, child, () => stderr);
  return {
    port, dir, user, fingerprint, clientKeyPath,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${stderr()}`);
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
  throw new Error(`sshd did not listen on ${port}: ${stderr()}`);
}

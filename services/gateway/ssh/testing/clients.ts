import { spawn } from 'node:child_process';
import ssh2 from 'ssh2';
import { askpass, type SshHarness } from './harness.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** OpenSSH client options for a throwaway gateway: token by askpass, no known_hosts. */
export function opensshOptions(port: number): string[] {
  return [
    '-p', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=INFO',
    '-o', 'PreferredAuthentications=password,keyboard-interactive', '-o', 'PubkeyAuthentication=no', '-o', 'NumberOfPasswordPrompts=1',
    '-o', 'BatchMode=no', '-F', '/dev/null',
  ];
}

/** Environment for OpenSSH so it takes the password from an askpass script without a terminal. */
export function askpassEnv(h: SshHarness, token: string): NodeJS.ProcessEnv {
  return { ...process.env, SSH_ASKPASS: askpass(h.dir, token), SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
}

/** Runs the real `ssh` (or `sftp`/`scp` via program) against the gateway. */
export function runOpenssh(h: SshHarness, token: string, args: string[], input?: string | Buffer, program = 'ssh', timeoutMs = 20_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: askpassEnv(h, token), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** Connects an ssh2 client to the gateway as connection, with token as password. */
export function ssh2Connect(h: SshHarness, connection: string, token: string, extra: Partial<ssh2.ConnectConfig> = {}): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.once('ready', () => resolve(c));
    c.once('error', reject);
    c.connect({ host: '127.0.0.1', port: h.port, username: connection, password: token, readyTimeout: 10_000, ...extra });
  });
}

/** Runs a command on an ssh2 client and collects its output and exit status. */
export function ssh2Exec(c: ssh2.Client, command: string, options: ssh2.ExecOptions = {}, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    c.exec(command, options, (err, ch) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      ch.on('data', (b: Buffer) => (stdout += b.toString()));
      ch.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      ch.on('exit', (c2: number | null) => (code = c2));
      ch.on('close', () => resolve({ code, stdout, stderr }));
      ch.end(input);
    });
  });
}

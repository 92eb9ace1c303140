import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSshMissing, startOpenSshServer, type OpenSshServer } from '../../../demo/openssh-server.js';

/** A real OpenSSH sshd on loopback, configured from scratch in a temp dir (test and benchmark support). */
export type Sshd = OpenSshServer;

export interface SshdOptions {
  /** Extra sshd_config lines; they come first, so they override the defaults (sshd keeps the first value it reads). */
  extra?: string[];
  /** Reuse another sshd's client key (so one gateway key opens both). */
  clientKeyPath?: string;
}

/** Is OpenSSH's server installed where the tests expect it? */
export function sshdAvailable(): boolean {
  const missing = openSshMissing();
  // In CI a missing sshd fails the run: no integration suite may skip there.
  if (missing !== undefined && process.env['CI'] !== undefined) throw new Error(`CI: ${missing}`);
  return missing === undefined;
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

/**
 * Starts sshd -D on a free loopback port with its own host key and authorized_keys
 * (services/demo/openssh-server.ts), with forwarding, sftp and test variables allowed.
 */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  return startOpenSshServer({
    dir: mkdtempSync(join(tmpdir(), 'tollgate-sshd-')),
    port: await freeSshPort(),
    settings: [
      ...(options.extra ?? []), 'AllowTcpForwarding yes', 'GatewayPorts no', 'Subsystem sftp internal-sftp',
      'AcceptEnv LANG LC_* TERM TOLLGATE_TEST_*', 'MaxSessions 64', 'MaxStartups 64',
    ],
    ...(options.clientKeyPath === undefined ? {} : { clientKeyPath: options.clientKeyPath }),
    removeDirOnStop: true,
  });
}

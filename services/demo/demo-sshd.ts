import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './demo-target.js';
import { openSshMissing, startOpenSshServer } from './openssh-server.js';

/** The demo's SSH host: a real OpenSSH sshd on loopback that only the gateway's key opens. */
export interface DemoSshTarget {
  host: string;
  port: number;
  /** The account the gateway logs in as: the user running the demo. */
  user: string;
  /** Host key pin for the connection. */
  fingerprint: string;
  /** The key only the gateway holds (the client logs in to the gateway with a token). */
  clientKeyPath: string;
  /** A folder of harmless files the scripted session looks at (and fails to delete). */
  workspace: string;
  stop(): Promise<void>;
}

export type DemoSshStart = { target: DemoSshTarget; problem?: undefined } | { target?: undefined; problem: string };

/**
 * sshd_config for the demo: one account, one key, loopback, nothing forwarded. Logging in as the
 * user already running the demo grants holders of a demo token nothing this process could not do
 * itself; as root that is root (PermitRootLogin prohibit-password: the key only), which is why the
 * gateway grant carries ssh-no-destructive and the server lives only as long as the demo.
 */
function demoSettings(user: string): string[] {
  return [
    `AllowUsers ${user}`, 'DisableForwarding yes', 'PermitTunnel no', 'PermitUserEnvironment no', 'AcceptEnv LANG LC_*',
    'MaxAuthTries 2', 'MaxSessions 8', 'ClientAliveInterval 60', 'Subsystem sftp internal-sftp',
  ];
}

/**
 * Starts the demo SSH host in a fresh folder under dir, or says why it cannot (no sshd installed,
 * sshd refused to start): the demo runs without an SSH session then, never fails for it.
 */
export async function startDemoSshd(dir: string): Promise<DemoSshStart> {
  const missing = openSshMissing();
  if (missing !== undefined) return { problem: missing };
  let home: string | undefined;
  try {
    // Absolute: sshd_config names keys by path, and the data dir may be given relative.
    mkdirSync(dir, { recursive: true });
    home = mkdtempSync(join(resolve(dir), 'sshd-'));
    const workspace = makeWorkspace(home);
    const server = await startOpenSshServer({ dir: home, port: await freePort(), settings: demoSettings(userInfo().username), removeDirOnStop: true });
    return {
      target: {
        host: '127.0.0.1', port: server.port, user: server.user, fingerprint: server.fingerprint, clientKeyPath: server.clientKeyPath, workspace,
        stop: () => server.stop(),
      },
    };
  } catch (err) {
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
    return { problem: `sshd did not start: ${(err as Error).message}` };
  }
}

/** A small "app" folder: something to list and read, and a `releases/` the agent tries to delete. */
function makeWorkspace(home: string): string {
  const workspace = join(home, 'shop-app');
  mkdirSync(join(workspace, 'releases', '2024-06-01'), { recursive: true });
  mkdirSync(join(workspace, 'releases', '2024-06-15'), { recursive: true });
  writeFileSync(join(workspace, 'README.md'), 'demo shop app: a folder the tollgate demo agent looks at\n');
  writeFileSync(join(workspace, 'app.conf'), 'listen = 127.0.0.1:8080\nlog_level = info\n');
  writeFileSync(join(workspace, 'releases', '2024-06-15', 'VERSION'), '1.4.2\n');
  return workspace;
}

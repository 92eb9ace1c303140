import ssh2 from 'ssh2';
import { openDemoShell } from './demo-shell.js';

/** One command of the scripted SSH agent and what happened to it. */
export interface SshStep {
  label: string;
  command: string;
  channel: 'shell' | 'exec';
  outcome: 'ok' | 'refused';
  /** The gateway's refusal ("command refused (rule): reason"), for a refused command. */
  error?: string;
  /** Exit status of an exec command. */
  exitCode?: number | null;
}

export interface SshAgentOptions {
  host: string;
  port: number;
  /** The tollgate connection name, sent as the SSH user name. */
  connection: string;
  /** The agent's identity token, sent as the SSH password. */
  token: string;
  /** The gateway's host key (public, SSH wire format): the agent checks it as any client should. */
  gatewayHostKey: Buffer;
  /** The demo host's folder of harmless files the agent works in. */
  workspace: string;
  /** Pause between commands, so the replay shows a session rather than a burst. */
  pauseMs?: number;
}

/** Shell lines the agent types (a pty shell), in order; the `rm -rf` is what the guardrail refuses. */
export const SSH_SHELL_SCRIPT: ReadonlyArray<{ label: string; line: (workspace: string) => string; refused?: true }> = [
  { label: 'go to the app folder', line: (w) => `cd ${w}` },
  { label: 'which machine is this', line: () => 'uname -a' },
  { label: 'list the app folder', line: () => 'ls -F' },
  { label: 'which OS', line: () => 'cat /etc/os-release | head -3' },
  { label: 'delete old releases (blocked)', line: () => 'rm -rf releases', refused: true },
  { label: 'releases are still there', line: () => 'ls releases' },
];

/** The remote command the agent runs on its own exec channel after the shell. */
export const SSH_EXEC_COMMAND = 'df -h /';

/**
 * Runs the SSH script through the gateway with the ssh2 client, as any client would: the connection
 * name as user, the token as password. One connection: a pty shell first, then an exec channel.
 */
export async function runSshAgentSession(options: SshAgentOptions): Promise<SshStep[]> {
  const client = await connect(options);
  const pause = () => new Promise((r) => setTimeout(r, options.pauseMs ?? 300));
  const steps: SshStep[] = [];
  try {
    const shell = await openDemoShell(client);
    await shell.untilPrompt(0);
    let listing = '';
    for (const step of SSH_SHELL_SCRIPT) {
      const line = step.line(options.workspace);
      // Never aim the refused command anywhere but the workspace: check the listing showed its files.
      if (step.refused === true && !(listing.includes('releases/') && listing.includes('app.conf'))) throw new Error(`the shell is not in ${options.workspace}; not sending "${line}"`);
      const result = await shell.run(line);
      if (line === 'ls -F') listing = result.output;
      steps.push({ label: step.label, command: line, channel: 'shell', ...(result.refusal === undefined ? { outcome: 'ok' } : { outcome: 'refused', error: result.refusal }) });
      await pause();
    }
    await shell.exit();
    const exec = await execCommand(client, SSH_EXEC_COMMAND);
    steps.push({ label: 'disk usage (exec channel)', command: SSH_EXEC_COMMAND, channel: 'exec', exitCode: exec.code, ...refusalOf(exec) });
  } finally {
    client.end();
  }
  return steps;
}

function connect(options: SshAgentOptions): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.once('ready', () => resolve(c));
    // `on`, not `once`: a second error after the first (or after ready) must not be unhandled.
    c.on('error', reject);
    c.connect({
      host: options.host, port: options.port, username: options.connection, password: options.token, readyTimeout: 15_000,
      hostVerifier: (key: Buffer) => key.equals(options.gatewayHostKey),
    });
  });
}

function refusalOf(r: { code: number | null; stderr: string }): Pick<SshStep, 'outcome' | 'error'> {
  const refused = /tollgate: (command refused[^\n]*)/.exec(r.stderr);
  return r.code === 126 && refused?.[1] !== undefined ? { outcome: 'refused', error: refused[1] } : { outcome: 'ok' };
}

/** Runs a command on its own channel, with a pty so its output replays as a terminal shows it (CR LF). */
function execCommand(c: ssh2.Client, command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    c.exec(command, { pty: { cols: 100, rows: 30, term: 'xterm-256color' } }, (err, ch) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      ch.on('error', reject);
      ch.on('data', (b: Buffer) => (stdout += b.toString()));
      ch.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      ch.on('exit', (status: number | null) => (code = status));
      ch.on('close', () => resolve({ code, stdout, stderr }));
      ch.end();
    });
  });
}

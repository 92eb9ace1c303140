import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { TollgateConfig } from '../core/config/index.js';
import type { DevIssuer } from '../core/identity/index.js';
import { runAgentSession, type AgentStep } from './agent-session.js';
import { AGENT_GROUP, DEMO_SSH_CONNECTION } from './demo-config.js';
import type { DemoSshStart, DemoSshTarget } from './demo-sshd.js';
import { runSshAgentSession, type SshStep } from './ssh-agent-session.js';

/** What the scripted agents did, or why each did not run. */
export interface AgentRuns {
  steps: AgentStep[] | undefined;
  /** Why the PostgreSQL session did not run, if it did not. */
  problem: string | undefined;
  sshSteps: SshStep[] | undefined;
  /** Why the SSH session did not run, if it did not (e.g. no sshd installed). */
  sshProblem: string | undefined;
}

/**
 * Plays the PostgreSQL session, then the SSH session (when the demo sshd runs), each as the
 * `demo-agent` identity through the gateway's listeners. Guarded: a failure becomes a problem
 * line in the banner, and the demo still starts (UI, API).
 */
export async function playAgents(config: TollgateConfig, issuer: DevIssuer, ssh: DemoSshStart): Promise<AgentRuns> {
  // One short-lived token per session, as an agent run gets: the same token from two client
  // addresses is what the token-multi-address rule reports as stolen.
  const token = () => issuer.mint({ subject: 'demo-agent', groups: [AGENT_GROUP], ttlMs: 15 * 60_000 });
  const pg = await playPostgres(config, await token());
  const played = ssh.target === undefined ? { steps: undefined, problem: ssh.problem ?? 'no SSH target' } : await playSsh(config, await token(), ssh.target);
  return { ...pg, sshSteps: played.steps, sshProblem: played.problem };
}

async function playPostgres(config: TollgateConfig, token: string): Promise<{ steps: AgentStep[] | undefined; problem: string | undefined }> {
  const listener = config.listeners.postgres;
  if (!listener.enabled) return { steps: undefined, problem: 'the PostgreSQL listener is disabled' };
  try {
    return { steps: await runAgentSession({ host: listener.host, port: listener.port, connection: 'demo', token }), problem: undefined };
  } catch (err) {
    return { steps: undefined, problem: `the scripted agent session could not run: ${(err as Error).message}` };
  }
}

async function playSsh(config: TollgateConfig, token: string, target: DemoSshTarget): Promise<{ steps: SshStep[] | undefined; problem: string | undefined }> {
  const listener = config.listeners.ssh;
  if (!listener.enabled) return { steps: undefined, problem: 'the SSH listener is disabled' };
  try {
    const steps = await runSshAgentSession({
      host: listener.host, port: listener.port, connection: DEMO_SSH_CONNECTION, token,
      gatewayHostKey: gatewayPublicKey(listener.hostKeyPath), workspace: target.workspace,
    });
    return { steps, problem: undefined };
  } catch (err) {
    return { steps: undefined, problem: `the scripted SSH session could not run: ${(err as Error).message}` };
  }
}

/** The gateway's public host key (SSH wire format), from the private key the SSH gateway role loaded. */
export function gatewayPublicKey(hostKeyPath: string): Buffer {
  const key = ssh2.utils.parseKey(readFileSync(hostKeyPath));
  if (key instanceof Error) throw new Error(`cannot read the SSH gateway host key at ${hostKeyPath}`);
  return key.getPublicSSH();
}

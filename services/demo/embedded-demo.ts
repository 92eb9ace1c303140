import { join } from 'node:path';
import { parseConfig, type TollgateConfig } from '../core/config/index.js';
import { createLogger, type Logger } from '../core/logger.js';
import { startNode, untilSignal, type RoleName, type RunningNode } from '../runtime/node.js';
import { startersFor } from '../runtime/roles.js';
import type { AgentStep } from './agent-session.js';
import { demoBanner } from './demo-banner.js';
import { AUDITOR_GROUP, demoConfig, type DemoPorts } from './demo-config.js';
import { startDemoSshd, type DemoSshTarget } from './demo-sshd.js';
import { startDemoTarget, type DemoTarget } from './demo-target.js';
import { playAgents } from './play-agents.js';
import type { SshStep } from './ssh-agent-session.js';

export interface DemoOptions {
  dataDir: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  nodeName?: string | undefined;
  err: (text: string) => void;
  ports?: DemoPorts;
}

export interface RunningDemo {
  config: TollgateConfig;
  node: RunningNode;
  target: DemoTarget;
  auditorToken: string;
  steps: AgentStep[] | undefined;
  /** Why the scripted agent session did not run, if it did not. */
  agentProblem: string | undefined;
  /** The demo SSH host, when sshd is installed and started. */
  sshTarget: DemoSshTarget | undefined;
  sshSteps: SshStep[] | undefined;
  /** Why the scripted SSH session did not run (no sshd, ...), if it did not. */
  sshProblem: string | undefined;
  banner: string;
  stop(): Promise<void>;
}

const ROLES: readonly RoleName[] = ['gateway', 'ingest', 'replay'];

/**
 * Embedded mode with the demo: starts the demo database and (when OpenSSH is installed) the demo
 * SSH host, runs gateway + ingest + replay on the demo configuration, plays short scripted agent
 * sessions through the gateway (PostgreSQL, then SSH) so the UI has something to show, and returns
 * the banner (UI address, an auditor token, how to connect your own client).
 */
export async function startEmbeddedDemo(options: DemoOptions, logger?: Logger): Promise<RunningDemo> {
  const base = parseConfig({}, options.env, { dataDir: options.dataDir });
  const target = await startDemoTarget(join(base.dataDir, 'demo'));
  // Never fails: without sshd (or when it will not start) the demo runs without an SSH session.
  const ssh = await startDemoSshd(join(base.dataDir, 'demo'));
  let node: RunningNode | undefined;
  const stopTargets = async () => {
    await target.stop();
    await ssh.target?.stop();
  };
  try {
    const config = demoConfig(target, options.env, options.dataDir, options.ports, ssh.target);
    if (options.nodeName !== undefined) config.node.name = options.nodeName;
    const log = logger ?? createLogger({ level: options.env['LOG_LEVEL'] ?? config.log.level, pretty: config.log.pretty || process.stderr.isTTY === true });
    node = await startNode(config, log, ROLES, startersFor(ROLES));
    const issuer = node.deps.identity.devIssuer;
    if (issuer === undefined) throw new Error('the demo needs the development issuer (identity.devIssuer)');
    const auditorToken = await issuer.mint({ subject: 'demo-auditor', groups: [AUDITOR_GROUP], ttlMs: 8 * 3_600_000 });
    const runs = await playAgents(config, issuer, ssh);
    const running = node;
    return {
      config, node, target, auditorToken, steps: runs.steps, agentProblem: runs.problem,
      sshTarget: ssh.target, sshSteps: runs.sshSteps, sshProblem: runs.sshProblem,
      banner: demoBanner({ config, node, target, auditorToken, runs }),
      async stop() {
        // Gateway first: its sessions to the targets end before the targets go.
        await running.stop();
        await stopTargets();
      },
    };
  } catch (err) {
    await node?.stop();
    await stopTargets();
    throw err;
  }
}

/** `tollgate start` without a configuration: the demo, until SIGINT or SIGTERM. */
export async function runEmbeddedDemo(options: DemoOptions): Promise<number> {
  const demo = await startEmbeddedDemo(options);
  options.err(demo.banner);
  const logger = demo.node.deps.logger;
  await untilSignal(logger);
  await demo.stop();
  logger.flush();
  return 0;
}

import { join } from 'node:path';
import { parseConfig, type TollgateConfig } from '../core/config/index.js';
import { createLogger, type Logger } from '../core/logger.js';
import type { DevIssuer } from '../core/identity/index.js';
import { startNode, untilSignal, type RoleName, type RunningNode } from '../runtime/node.js';
import { startersFor } from '../runtime/roles.js';
import { runAgentSession, type AgentStep } from './agent-session.js';
import { AGENT_GROUP, AUDITOR_GROUP, demoConfig, type DemoPorts } from './demo-config.js';
import { startDemoTarget, type DemoTarget } from './demo-target.js';

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
  banner: string;
  stop(): Promise<void>;
}

const ROLES: readonly RoleName[] = ['gateway', 'ingest', 'replay'];

/**
 * Embedded mode with the demo: starts the demo database, runs gateway + ingest + replay on the demo
 * configuration, plays a short scripted agent session through the gateway so the UI has something
 * to show, and returns the banner (UI address, an auditor token, how to connect your own client).
 */
export async function startEmbeddedDemo(options: DemoOptions, logger?: Logger): Promise<RunningDemo> {
  const base = parseConfig({}, options.env, { dataDir: options.dataDir });
  const target = await startDemoTarget(join(base.dataDir, 'demo'));
  let node: RunningNode | undefined;
  try {
    const config = demoConfig(target, options.env, options.dataDir, options.ports);
    if (options.nodeName !== undefined) config.node.name = options.nodeName;
    const log = logger ?? createLogger({ level: options.env['LOG_LEVEL'] ?? config.log.level, pretty: config.log.pretty || process.stderr.isTTY === true });
    node = await startNode(config, log, ROLES, startersFor(ROLES));
    const issuer = node.deps.identity.devIssuer;
    if (issuer === undefined) throw new Error('the demo needs the development issuer (identity.devIssuer)');
    const auditorToken = await issuer.mint({ subject: 'demo-auditor', groups: [AUDITOR_GROUP], ttlMs: 8 * 3_600_000 });
    const { steps, problem } = await playAgent(config, issuer);
    const running = node;
    return {
      config, node, target, auditorToken, steps, agentProblem: problem,
      banner: banner(config, node, target, auditorToken, steps, problem),
      async stop() {
        await running.stop();
        await target.stop();
      },
    };
  } catch (err) {
    await node?.stop();
    await target.stop();
    throw err;
  }
}

async function playAgent(config: TollgateConfig, issuer: DevIssuer): Promise<{ steps: AgentStep[] | undefined; problem: string | undefined }> {
  const pgListener = config.listeners.postgres;
  if (!pgListener.enabled) return { steps: undefined, problem: 'the PostgreSQL listener is disabled' };
  try {
    const token = await issuer.mint({ subject: 'demo-agent', groups: [AGENT_GROUP], ttlMs: 15 * 60_000 });
    return { steps: await runAgentSession({ host: pgListener.host, port: pgListener.port, connection: 'demo', token }), problem: undefined };
  } catch (err) {
    // Guarded: the demo still starts (UI, API) when the gateway cannot take the session.
    return { steps: undefined, problem: `the scripted agent session could not run: ${(err as Error).message}` };
  }
}

function banner(config: TollgateConfig, node: RunningNode, target: DemoTarget, auditorToken: string, steps: AgentStep[] | undefined, problem: string | undefined): string {
  const r = config.listeners.replay;
  const p = config.listeners.postgres;
  const ui = `${r.tls === undefined ? 'http' : 'https'}://${r.host}:${r.port}/`;
  const lines = [
    `tollgate demo (embedded mode) running as node "${config.node.name}"`,
    `  demo database: ${target.kind === 'postgresql' ? 'PostgreSQL' : 'PGlite'} on ${target.host}:${target.port} (fake customers), connection "demo"`,
    `  data:          ${config.dataDir}`,
    ...node.roles.flatMap((h) => h.describe().map((l) => `  ${l}`)),
    '',
    steps === undefined ? `  agent session: not played (${problem ?? 'unknown reason'})` : '  scripted agent session (recorded):',
    ...(steps ?? []).map((s) => `    ${s.outcome === 'ok' ? 'ok     ' : 'refused'} ${s.label}${s.outcome === 'ok' ? ` (${s.rows} rows)` : `: ${s.error ?? ''}`}`),
    '',
    `  Replay UI:     ${ui}`,
    '  Sign in with this auditor token (8 h):',
    `    ${auditorToken}`,
    '',
    '  Connect your own client as the demo agent (read-only, personal data masked):',
    `    PGPASSWORD="$(npm run -s tollgate -- token --sub you --groups ${AGENT_GROUP} --ttl 1h)" \\`,
    `      psql "host=${p.host} port=${p.port} dbname=demo user=you sslmode=require"`,
    `  An auditor token for yourself: npm run -s tollgate -- token --sub you --groups ${AUDITOR_GROUP}`,
    '  Stop with Ctrl-C.',
  ];
  return `\n${lines.join('\n')}\n\n`;
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

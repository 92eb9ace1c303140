import { resolve } from 'node:path';
import type { TollgateConfig } from '../core/config/index.js';
import { sha256Fingerprint } from '../gateway/ssh/fingerprint.js';
import type { RunningNode } from '../runtime/node.js';
import { AGENT_GROUP, AUDITOR_GROUP, DEMO_SSH_CONNECTION } from './demo-config.js';
import type { DemoTarget } from './demo-target.js';
import { gatewayPublicKey, type AgentRuns } from './play-agents.js';

export interface BannerInput {
  config: TollgateConfig;
  node: RunningNode;
  target: DemoTarget;
  auditorToken: string;
  runs: AgentRuns;
}

/** What `tollgate start` prints: what runs, what the agents did, the UI, an auditor token, how to connect. */
export function demoBanner({ config, node, target, auditorToken, runs }: BannerInput): string {
  const r = config.listeners.replay;
  const ui = `${r.tls === undefined ? 'http' : 'https'}://${r.host}:${r.port}/`;
  const lines = [
    `tollgate demo (embedded mode) running as node "${config.node.name}"`,
    `  demo database: ${target.kind === 'postgresql' ? 'PostgreSQL' : 'PGlite'} on ${target.host}:${target.port} (fake customers), connection "demo"`,
    ...sshTargetLine(config),
    `  data:          ${config.dataDir}`,
    ...node.roles.flatMap((h) => h.describe().map((l) => `  ${l}`)),
    '',
    ...postgresRun(runs),
    ...sshRun(runs),
    '',
    `  Replay UI:     ${ui}`,
    '  Sign in with this auditor token (8 h):',
    `    ${auditorToken}`,
    '',
    ...connectLines(config),
    `  An auditor token for yourself: ${tokenCommand(config, AUDITOR_GROUP)}`,
    '  Stop with Ctrl-C.',
  ];
  return `\n${lines.join('\n')}\n\n`;
}

function sshTargetLine(config: TollgateConfig): string[] {
  const c = config.connections[DEMO_SSH_CONNECTION];
  return c?.protocol === 'ssh' ? [`  demo SSH host: OpenSSH on ${c.host}:${c.port} (logs in as ${c.upstream.user}, key held by the gateway), connection "${DEMO_SSH_CONNECTION}"`] : [];
}

function postgresRun({ steps, problem }: AgentRuns): string[] {
  if (steps === undefined) return [`  agent session: not played (${problem ?? 'unknown reason'})`];
  return [
    '  scripted agent session, PostgreSQL (recorded):',
    ...steps.map((s) => `    ${s.outcome === 'ok' ? 'ok     ' : 'refused'} ${s.label}${s.outcome === 'ok' ? ` (${s.rows} rows)` : `: ${s.error ?? ''}`}`),
  ];
}

function sshRun({ sshSteps, sshProblem }: AgentRuns): string[] {
  if (sshSteps === undefined) return [`  SSH session:   not played (${sshProblem ?? 'unknown reason'})`];
  return [
    `  scripted agent session, SSH through the gateway (connection "${DEMO_SSH_CONNECTION}", recorded as a terminal replay):`,
    ...sshSteps.map((s) => {
      const shown = `${s.channel === 'exec' ? 'exec ' : '$ '}${s.command.length > 60 ? `${s.command.slice(0, 57)}...` : s.command}`;
      return `    ${s.outcome === 'ok' ? 'ok     ' : 'refused'} ${shown}${s.outcome === 'refused' ? `: ${s.error ?? ''}` : ''}`;
    }),
  ];
}

function connectLines(config: TollgateConfig): string[] {
  const p = config.listeners.postgres;
  const s = config.listeners.ssh;
  const lines = [
    '  Connect your own client as the demo agent (read-only, personal data masked):',
    `    PGPASSWORD="$(${tokenCommand(config, AGENT_GROUP)} --ttl 1h)" \\`,
    `      psql "host=${p.host} port=${p.port} dbname=demo user=you sslmode=require"`,
  ];
  if (config.connections[DEMO_SSH_CONNECTION] === undefined || !s.enabled) return lines;
  return [
    ...lines,
    '  Your own SSH client (destructive commands refused); the password is a token:',
    `    ${tokenCommand(config, AGENT_GROUP)} --ttl 1h`,
    `    ssh -p ${s.port} ${DEMO_SSH_CONNECTION}@${s.host}${gatewayKeyNote(s.hostKeyPath)}`,
  ];
}

/** The fingerprint ssh shows on first connect, to compare (the banner is printed after the key exists). */
function gatewayKeyNote(hostKeyPath: string): string {
  try {
    return `    (gateway host key ${sha256Fingerprint(gatewayPublicKey(hostKeyPath))})`;
  } catch {
    return '';
  }
}

/** The token command for the dev issuer whose keys live in this demo's data dir. */
function tokenCommand(config: TollgateConfig, group: string): string {
  const custom = resolve(config.dataDir) !== resolve('.tollgate');
  return `npm run -s tollgate -- token${custom ? ` --data-dir ${JSON.stringify(config.dataDir)}` : ''} --sub you --groups ${group}`;
}

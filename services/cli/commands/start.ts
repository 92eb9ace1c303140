import { runEmbeddedDemo } from '../../demo/embedded-demo.js';
import { loadRuntime } from '../../runtime/context.js';
import { startNode, untilSignal, type RoleName } from '../../runtime/node.js';
import { startersFor } from '../../runtime/roles.js';
import { commonOptionHelp, commonOptions, type Command, type CommandIO, type ParsedArgs } from '../command.js';

/** Runs one or more roles in this process until SIGINT or SIGTERM. */
async function runRoles(roles: readonly RoleName[], args: ParsedArgs, io: CommandIO, banner: boolean): Promise<number> {
  const { config, logger } = await loadRuntime({
    configPath: typeof args.values['config'] === 'string' ? args.values['config'] : undefined,
    dataDir: typeof args.values['data-dir'] === 'string' ? args.values['data-dir'] : undefined,
    env: io.env,
  });
  if (typeof args.values['node'] === 'string') config.node.name = args.values['node'];
  const node = await startNode(config, logger, roles, startersFor(roles));
  const lines = [
    `tollgate ${roles.join(' + ')} running as node "${config.node.name}"`,
    `  event log: ${config.eventLog.kind === 'embedded' ? `embedded, ${config.eventLog.dir}` : `kafka, ${config.eventLog.brokers.join(',')}`}`,
    ...(node.deps.store === undefined ? [] : [`  store:     ${config.store.kind === 'chdb' ? `chDB, ${config.store.path}` : `ClickHouse, ${config.store.url}`}`]),
    ...node.roles.flatMap((r) => r.describe().map((l) => `  ${l}`)),
  ];
  if (banner && node.deps.identity.devIssuer !== undefined) {
    lines.push('', '  development tokens: npm run tollgate -- token --sub YOU --groups GROUP');
  }
  io.err(`\n${lines.join('\n')}\n\n`);
  await untilSignal(logger);
  await node.stop();
  logger.flush();
  return 0;
}

const nodeOption = { node: { type: 'string' as const } };
const nodeHelp = { node: 'node name in frames and logs (default: config node.name, else the host name)' };

export const startCommand: Command = {
  name: 'start',
  summary: 'run everything in one process (embedded mode: gateway, ingest, replay)',
  usage: 'tollgate start [--config FILE] [--data-dir DIR]',
  description: `
Runs the gateway, ingest and replay roles in one process. With no configuration this is the
embedded mode: an event log of segment files and the chDB store under ./.tollgate, and the local
development issuer for tokens. Stop with Ctrl-C: sessions end, recorded frames are flushed.`,
  options: { ...nodeOption, ...commonOptions },
  optionHelp: { ...nodeHelp, ...commonOptionHelp },
  // No configuration at all (no --config, no $TOLLGATE_CONFIG): the demo (services/demo).
  run: (args, io) => (typeof args.values['config'] === 'string' || (io.env['TOLLGATE_CONFIG'] ?? '') !== ''
    ? runRoles(['gateway', 'ingest', 'replay'], args, io, true)
    : runEmbeddedDemo({ dataDir: typeof args.values['data-dir'] === 'string' ? args.values['data-dir'] : undefined, env: io.env, nodeName: typeof args.values['node'] === 'string' ? args.values['node'] : undefined, err: io.err })),
};

function roleCommand(role: RoleName, summary: string): Command {
  return {
    name: role,
    summary,
    usage: `tollgate ${role} --config FILE [--node NAME]`,
    description: `Runs only the ${role} role, as in distributed mode (compose.yaml): the event log is normally Kafka and the store ClickHouse.`,
    options: { ...nodeOption, ...commonOptions },
    optionHelp: { ...nodeHelp, ...commonOptionHelp },
    run: (args, io) => runRoles([role], args, io, false),
  };
}

export const gatewayCommand = roleCommand('gateway', 'run the gateway role: protocol listeners that judge, mask and record');
export const ingestCommand = roleCommand('ingest', 'run the ingest role: consume frames, mask, project, raise alerts, write the store');
export const replayCommand = roleCommand('replay', 'run the replay role: API and UI for sessions, replay, alerts, SQL');

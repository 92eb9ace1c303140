import { randomIds, systemClock, type Clock, type IdGenerator } from '../core/clock.js';
import type { TollgateConfig } from '../core/config/index.js';
import type { EventCodec } from '../core/events/codec.js';
import { buildIdentity, type IdentityRuntime } from '../core/identity/from-config.js';
import type { Logger } from '../core/logger.js';
import type { EventLog } from '../core/log/port.js';
import { compilePolicy, type Policy } from '../core/policy/index.js';
import type { Store } from '../core/store/port.js';
import type { RecordingSink } from '../core/recording/sink.js';
import { openCodec, openConfiguredLog, openConfiguredStore } from './adapters.js';
import { openRecordingSink } from './recording.js';

export type RoleName = 'gateway' | 'ingest' | 'replay';

/** Everything a role needs, opened once per process. */
export interface NodeDeps {
  config: TollgateConfig;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  log: EventLog;
  codec: EventCodec;
  identity: IdentityRuntime;
  policy: Policy;
  /** Present when a role of this process reads or writes the store (ingest, replay). */
  store: Store | undefined;
  /** Where gateways record frames; present when this process runs the gateway role. */
  sink: RecordingSink | undefined;
}

/** A running role: what it serves (for the banner) and how to stop it. */
export interface RoleHandle {
  name: string;
  /** Lines for the start-up banner, e.g. "postgres gateway on 127.0.0.1:15432". */
  describe(): string[];
  stop(): Promise<void>;
}

export type RoleStarter = (deps: NodeDeps) => Promise<RoleHandle[]>;

export interface RunningNode {
  deps: NodeDeps;
  roles: RoleHandle[];
  stop(): Promise<void>;
}

/**
 * Opens the adapters the configuration names and starts the given roles on them. Stops in reverse:
 * roles first (gateways stop accepting, sessions end and flush), then the log and the store.
 */
export async function startNode(
  config: TollgateConfig,
  logger: Logger,
  roleNames: readonly RoleName[],
  roles: ReadonlyArray<[RoleName, RoleStarter]>,
): Promise<RunningNode> {
  const clock = systemClock;
  const needsStore = roleNames.some((name) => name !== 'gateway');
  const opened: Array<() => Promise<void>> = [];
  try {
    const log = await openConfiguredLog(config, logger);
    opened.push(() => log.close());
    const codec = await openCodec(config);
    const identity = await buildIdentity(config.identity, clock);
    const policy = compilePolicy({ roles: config.roles, connections: config.connections });
    for (const warning of policy.warnings) logger.warn(warning);
    let store: Store | undefined;
    if (needsStore) {
      store = await openConfiguredStore(config);
      const s = store;
      opened.push(() => s.close());
      const applied = await store.migrate();
      if (applied.length > 0) logger.info({ migrations: applied }, 'store schema migrated');
    }
    let sink: RecordingSink | undefined;
    if (roleNames.includes('gateway')) {
      const s = await openRecordingSink(config, log, logger);
      sink = s;
      // Closed before the log (closers run in reverse): flush every recorded frame first.
      opened.push(() => s.close());
    }
    const deps: NodeDeps = { config, logger, clock, ids: randomIds, log, codec, identity, policy, store, sink };
    const handles: RoleHandle[] = [];
    for (const [name, start] of roles) {
      const started = await start(deps);
      handles.push(...started);
      opened.push(async () => {
        for (const h of started.reverse()) await h.stop();
      });
      logger.debug({ role: name }, 'role started');
    }
    return {
      deps,
      roles: handles,
      stop: () => closeAll(opened, logger),
    };
  } catch (err) {
    await closeAll(opened, logger);
    throw err;
  }
}

async function closeAll(opened: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const close of opened.splice(0).reverse()) {
    try {
      await close();
    } catch (err) {
      logger.error({ err }, 'error while stopping');
    }
  }
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
export function untilSignal(logger: Logger): Promise<string> {
  return new Promise((resolve) => {
    // Signal handlers do not keep the event loop alive; a process with no listener yet must still wait.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const onSignal = (signal: string) => {
      clearInterval(keepAlive);
      logger.info({ signal }, 'stopping (send again to exit at once)');
      process.once(signal, () => process.exit(130));
      resolve(signal);
    };
    process.once('SIGINT', () => onSignal('SIGINT'));
    process.once('SIGTERM', () => onSignal('SIGTERM'));
  });
}

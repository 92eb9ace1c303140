import type { TollgateConfig } from '../../core/config/index.js';
import { Topics } from '../../core/log/port.js';
import { RecordingSink } from '../../core/recording/sink.js';
import type { NodeDeps, RoleHandle, RoleStarter } from '../../runtime/node.js';
import { PgCatalogSource } from './catalog-source.js';
import { ColumnCatalog } from './column-catalog.js';
import { GrantCompiler } from './grant-runtime.js';
import { loadGuardrailParser } from './guardrails/index.js';
import { gatewayRuntime, PostgresGateway } from './server.js';
import { listenerTls } from './server-tls.js';
import type { PostgresConnection } from './session-start.js';

/** In-memory frames held before sessions are paused (backpressure); the sink never drops. */
const SINK_MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** Catalog lookups for masking, one cache and one metadata connection per connection config. */
function catalogs(config: TollgateConfig, now: () => number): { catalogFor: (name: string) => ColumnCatalog; close: () => Promise<void> } {
  const made = new Map<string, { catalog: ColumnCatalog; source: PgCatalogSource }>();
  return {
    catalogFor(name) {
      let entry = made.get(name);
      if (entry === undefined) {
        const source = new PgCatalogSource(config.connections[name] as PostgresConnection);
        entry = { catalog: new ColumnCatalog(source, now), source };
        made.set(name, entry);
      }
      return entry.catalog;
    },
    async close() {
      for (const e of made.values()) await e.source.close();
    },
  };
}

/** Starts the PostgreSQL gateway on listeners.postgres (the `gateway` role). */
export const startPostgresGateway: RoleStarter = async (deps: NodeDeps): Promise<RoleHandle[]> => {
  const { config, logger } = deps;
  const listener = config.listeners.postgres;
  if (!listener.enabled) return [];
  await loadGuardrailParser();
  const grants = new GrantCompiler(config);
  const tls = listenerTls(listener.tls, config.dataDir, logger);
  // The node's shared sink when the runtime provides one (it owns the spool); else one of our own.
  const shared = deps.sink;
  const sink = shared ?? new RecordingSink(deps.log, { topic: Topics.frames, maxPendingBytes: SINK_MAX_PENDING_BYTES, retryDelayMs: 250 });
  if (shared === undefined) sink.on('state', (state, err) => logger.warn({ state, err }, 'recording sink state changed'));
  const cat = catalogs(config, () => deps.clock.nowMs());
  const gateway = new PostgresGateway({
    config, logger: logger.child({ role: 'postgres-gateway' }), clock: deps.clock, ids: deps.ids,
    verifier: deps.identity.verifier, policy: deps.policy, codec: deps.codec, sink, grants,
    catalogFor: cat.catalogFor, tls, ...gatewayRuntime(),
  });
  const bound = await gateway.listen(listener.host, listener.port);
  const connections = Object.entries(config.connections).filter(([, c]) => c.protocol === 'postgres').map(([n]) => n);
  return [{
    name: 'postgres-gateway',
    describe: () => [
      `postgres gateway on ${bound.host}:${bound.port} (TLS ${tls === undefined ? 'off' : tls.required ? 'required' : 'offered'}${tls === undefined ? '' : `: ${tls.source}`})`,
      `  connections: ${connections.length === 0 ? '(none configured)' : connections.join(', ')}; connect with database=<connection>, password=<tollgate token>`,
    ],
    async stop() {
      await gateway.close();
      if (shared === undefined) await sink.close();
      await cat.close();
    },
  }];
};

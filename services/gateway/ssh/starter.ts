import { Topics } from '../../core/log/port.js';
import { RecordingSink } from '../../core/recording/sink.js';
import type { NodeDeps, RoleHandle, RoleStarter } from '../../runtime/node.js';
import { loadOrCreateHostKey } from './host-key.js';
import { SshGateway } from './server.js';

/** In-memory frames held before sessions are paused (backpressure); the sink never drops. */
const SINK_MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** Starts the SSH gateway on listeners.ssh (the `gateway` role). */
export const startSshGateway: RoleStarter = async (deps: NodeDeps): Promise<RoleHandle[]> => {
  const { config, logger } = deps;
  const listener = config.listeners.ssh;
  if (!listener.enabled) return [];
  const keyPath = listener.hostKeyPath;
  const { key, created } = loadOrCreateHostKey(keyPath);
  if (created) logger.info({ path: keyPath }, 'generated the SSH gateway host key');
  const sink = new RecordingSink(deps.log, { topic: Topics.frames, maxPendingBytes: SINK_MAX_PENDING_BYTES, retryDelayMs: 250 });
  sink.on('state', (state, err) => logger.warn({ state, err }, 'recording sink state changed'));
  const gateway = new SshGateway({
    config, logger: logger.child({ role: 'ssh-gateway' }), clock: deps.clock, ids: deps.ids,
    verifier: deps.identity.verifier, policy: deps.policy, codec: deps.codec, sink, hostKey: key,
  });
  const bound = await gateway.listen(listener.host, listener.port);
  const connections = Object.entries(config.connections).filter(([, c]) => c.protocol === 'ssh').map(([n]) => n);
  return [{
    name: 'ssh-gateway',
    describe: () => [
      `ssh gateway on ${bound.host}:${bound.port} (host key ${keyPath})`,
      `  connections: ${connections.length === 0 ? '(none configured)' : connections.join(', ')}; connect with ssh -p ${bound.port} <connection>@${bound.host}, password = <tollgate token>`,
    ],
    async stop() {
      await gateway.close();
      await sink.close();
    },
  }];
};

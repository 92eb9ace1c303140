import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { TollgateError } from '../core/errors.js';
import type { NodeDeps, RoleHandle } from '../runtime/node.js';
import { buildReplayApp } from './app.js';
import { logAuditRecorder } from './audit-recorder.js';

/** The replay role: builds the app on the node's store and identity and listens (the only I/O here). */
export async function startReplay(deps: NodeDeps): Promise<RoleHandle[]> {
  const listener = deps.config.listeners.replay;
  if (!listener.enabled) return [];
  if (deps.store === undefined) throw new TollgateError('TG_ERR_CONFIG', 'the replay role needs a store; configure store');
  const https = listener.tls === undefined ? null : { cert: await readFile(listener.tls.certPath), key: await readFile(listener.tls.keyPath) };
  const app = buildReplayApp({
    store: deps.store,
    verifier: deps.identity.verifier,
    policy: deps.policy,
    audit: logAuditRecorder(deps.log, deps.codec, deps.clock, deps.config.node.name),
    clock: deps.clock,
    logger: deps.logger,
    ...(https === null ? {} : { https }),
  });
  await app.listen({ host: listener.host, port: listener.port });
  const address = app.server.address() as AddressInfo;
  const url = `${https === null ? 'http' : 'https'}://${address.address}:${address.port}/`;
  return [{
    name: 'replay',
    describe: () => [`replay UI and API on ${url} (API description: ${url}openapi.json)`],
    stop: () => app.close(),
  }];
}

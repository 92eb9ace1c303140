import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { ConnectionConfig } from '../../core/config/index.js';
import { TollgateError } from '../../core/errors.js';
import { matchesPin, sha256Fingerprint } from './fingerprint.js';

export type SshConnection = Extract<ConnectionConfig, { protocol: 'ssh' }>;

export interface UpstreamOptions {
  readyTimeoutMs: number;
  /** Test seam and benchmark knob: extra ssh2 client settings (algorithms, keepalive). */
  extra?: Partial<ssh2.ConnectConfig>;
}

/**
 * Opens the gateway's own SSH connection to a target with credentials only the gateway holds.
 * The target's host key must match the pinned fingerprint; any other key refuses the connection
 * before authentication (so no credential is ever offered to an impostor).
 */
export function connectUpstream(name: string, conn: SshConnection, options: UpstreamOptions): Promise<ssh2.Client> {
  const client = new ssh2.Client();
  let seenKey: string | undefined;
  const config: ssh2.ConnectConfig = {
    host: conn.host,
    port: conn.port,
    username: conn.upstream.user,
    readyTimeout: options.readyTimeoutMs,
    hostVerifier: (key: Buffer) => {
      seenKey = sha256Fingerprint(key);
      return matchesPin(key, conn.hostKey);
    },
    ...options.extra,
  };
  try {
    if (conn.upstream.privateKeyPath !== undefined) config.privateKey = readFileSync(conn.upstream.privateKeyPath);
  } catch (err) {
    return Promise.reject(new TollgateError('TG_ERR_CONFIG', `connection "${name}": cannot read upstream.privateKeyPath`, { cause: err }));
  }
  const passphrase = conn.upstream.passphrase?.reveal();
  if (passphrase !== undefined) config.passphrase = passphrase;
  const password = conn.upstream.password?.reveal();
  if (password !== undefined) config.password = password;
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      client.removeAllListeners('ready');
      client.end();
      reject(describeUpstreamError(name, conn, err, seenKey));
    };
    client.once('ready', () => {
      client.removeListener('error', fail);
      resolve(client);
    });
    client.once('error', fail);
    client.connect(config);
    client.setNoDelay(true);
  });
}

function describeUpstreamError(name: string, conn: SshConnection, err: Error, seenKey: string | undefined): TollgateError {
  const where = `${conn.host}:${conn.port}`;
  const level = (err as { level?: string }).level;
  let message: string;
  if (seenKey !== undefined && !seenKey.startsWith(conn.hostKey.replace(/=+$/, '')) && /host key|verification/i.test(err.message)) {
    message = `connection "${name}": the host key of ${where} is ${seenKey}, not the pinned ${conn.hostKey}; refusing to connect (if the host was rebuilt, update hostKey in the configuration)`;
  } else if (level === 'client-authentication') {
    message = `connection "${name}": ${where} refused the gateway's credentials for user "${conn.upstream.user}"`;
  } else if (level === 'client-timeout') {
    message = `connection "${name}": ${where} did not complete the SSH handshake in time`;
  } else {
    message = `connection "${name}": cannot reach ${where} (${err.message})`;
  }
  return new TollgateError('TG_ERR_UPSTREAM', message, { cause: err, context: { connection: name } });
}

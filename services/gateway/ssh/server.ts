import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { Clock, IdGenerator } from '../../core/clock.js';
import type { TollgateConfig } from '../../core/config/index.js';
import type { EventCodec } from '../../core/events/codec.js';
import type { IdentityVerifier } from '../../core/identity/index.js';
import type { Logger } from '../../core/logger.js';
import type { Policy } from '../../core/policy/index.js';
import type { RecordingSink, SinkState } from '../../core/recording/sink.js';
import { ClientConnection } from './client-connection.js';
import { formatPeer } from '../../core/peer-address.js';

/** Everything the listener and its sessions use; built by the starter (or a test). */
export interface SshGatewayDeps {
  readonly config: Pick<TollgateConfig, 'connections' | 'limits' | 'node' | 'guardrails'>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly verifier: IdentityVerifier;
  readonly policy: Policy;
  readonly codec: EventCodec;
  readonly sink: RecordingSink;
  /** The gateway's host key (OpenSSH or PEM private key). */
  readonly hostKey: Buffer;
  /** Extra ssh2 client settings for upstream connections (tests, benchmarks). */
  readonly upstream?: Partial<ssh2.ConnectConfig>;
}

/**
 * The SSH listener: the only place that binds a socket. Each accepted connection becomes a
 * ClientConnection; beyond limits.maxSessions new TCP connections are closed at once.
 */
export class SshGateway {
  private readonly server: ssh2.Server;
  private readonly live = new Set<ClientConnection>();
  // One listener for all sessions (not one each): the sink is shared by the whole node.
  private readonly onSinkState = (state: SinkState) => {
    for (const c of [...this.live]) c.sinkChanged(state);
  };

  constructor(private readonly d: SshGatewayDeps) {
    this.server = new ssh2.Server({ hostKeys: [d.hostKey], ident: 'tollgate', ...(process.env['TG_SSH_DEBUG'] ? { debug: (m: string) => console.error(m) } : {}) }, (conn, info) => this.accept(conn, info));
    this.server.on('error', (err: Error) => d.logger.error({ err }, 'ssh listener error'));
    d.sink.on('state', this.onSinkState);
    // ssh2 destroys sockets beyond this before any protocol work (a DISCONNECT would need a handshake first).
    this.server.maxConnections = d.config.limits.maxSessions;
  }

  /** Binds host:port (port 0 picks a free one) and resolves with the bound address. */
  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', reject);
        const a = this.server.address() as AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  /** Stops accepting, ends every session (recording session.end) and waits for the listener to close. */
  async close(): Promise<void> {
    this.d.sink.off('state', this.onSinkState);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of [...this.live]) c.end('the gateway is shutting down', true);
    await closed;
  }

  private accept(conn: ssh2.Connection, info: ssh2.ClientInfo): void {
    const c: ClientConnection = new ClientConnection(this.d, conn, formatPeer(info.ip, info.port), () => this.live.delete(c));
    this.live.add(c);
    c.start();
  }
}

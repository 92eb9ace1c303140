import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Clock, IdGenerator } from '../../core/clock.js';
import type { TollgateConfig } from '../../core/config/index.js';
import type { EventCodec } from '../../core/events/codec.js';
import type { IdentityVerifier } from '../../core/identity/index.js';
import type { Logger } from '../../core/logger.js';
import type { Policy } from '../../core/policy/index.js';
import type { RecordingSink, SinkState } from '../../core/recording/sink.js';
import { CancelKeys } from './cancel-keys.js';
import type { ColumnCatalog } from './column-catalog.js';
import { GatewaySqlState, gatewayError } from './gateway-errors.js';
import type { GrantCompiler } from './grant-runtime.js';
import type { ListenerTls } from './server-tls.js';
import { ServerSession } from './server-session.js';

/** Everything the listener and its sessions use; built by the starter (or a test). */
export interface GatewayDeps {
  readonly config: Pick<TollgateConfig, 'connections' | 'limits' | 'node'>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly verifier: IdentityVerifier;
  readonly policy: Policy;
  readonly codec: EventCodec;
  readonly sink: RecordingSink;
  readonly grants: GrantCompiler;
  readonly catalogFor: (connection: string) => ColumnCatalog;
  readonly tls: ListenerTls | undefined;
  readonly cancelKeys: CancelKeys;
  /** Random per process; marks the gateway's block probes (see relay-session.ts). */
  readonly probeNonce: string;
}

/** Builds the per-process parts of GatewayDeps that tests rarely care about. */
export function gatewayRuntime(): Pick<GatewayDeps, 'cancelKeys' | 'probeNonce'> {
  return { cancelKeys: new CancelKeys(), probeNonce: randomBytes(6).toString('hex') };
}

/**
 * The PostgreSQL listener: accepts clients, runs one ServerSession per connection, sweeps the
 * sessions' limits once a second and ends sessions when the recording sink degrades.
 */
export class PostgresGateway {
  private readonly server: Server;
  private readonly sessions = new Set<ServerSession>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly onSinkState = (state: SinkState) => {
    for (const s of [...this.sessions]) this.guard(s, () => s.onSinkState(state));
  };

  constructor(private readonly deps: GatewayDeps) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => deps.logger.error({ err }, 'postgres listener error'));
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.deps.sink.on('state', this.onSinkState);
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
    const addr = this.server.address();
    return { host, port: typeof addr === 'object' && addr !== null ? addr.port : port };
  }

  /** Open sessions (including those still authenticating). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Stops accepting, ends every session with a FATAL error, and waits for the listener to close. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.deps.sink.off('state', this.onSinkState);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of [...this.sessions]) s.endWith(GatewaySqlState.adminShutdown, 'terminating connection: the tollgate gateway is shutting down');
    await closed;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    if (this.sessions.size >= this.deps.config.limits.maxSessions) {
      // Answer in protocol form once the client has sent its first packet; any answer will do for a refusal.
      socket.end(gatewayError('FATAL', GatewaySqlState.tooManyConnections, `sorry, too many sessions on this tollgate node (limit ${this.deps.config.limits.maxSessions})`));
      return;
    }
    const session = new ServerSession(socket, this.deps, (s) => this.sessions.delete(s));
    this.sessions.add(session);
  }

  /** One session's failure never reaches the timer or the other sessions. */
  private guard(s: ServerSession, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      s.internalFailure(err);
    }
  }

  private sweep(): void {
    const now = this.deps.clock.nowMs();
    for (const s of [...this.sessions]) this.guard(s, () => s.sweep(now));
  }
}

import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { sessionEndBody } from '../../core/events/bodies.js';
import { isTollgateError } from '../../core/errors.js';
import type { VerifiedIdentity } from '../../core/identity/index.js';
import type { SessionRecorder } from '../../core/recording/recorder.js';
import type { SinkState } from '../../core/recording/sink.js';
import type { ClientStartup } from './startup-params.js';
import { ClientHandshake } from './client-handshake.js';
import type { WireRecorder } from './frame-recording.js';
import { GatewaySqlState, gatewayError } from './gateway-errors.js';
import { EMPTY_FRONTEND, FrontendDecoder, type BackendDecoder, type DecodedBackendMessage } from './protocol/index.js';
import type { RelaySession } from './relay-session.js';
import { openUpstream, sendUpstreamCancel, type UpstreamTarget } from './server-upstream.js';
import type { GatewayDeps } from './server.js';
import { checkLimits } from './session-limits.js';
import { admit, buildRelay, greetClient, recordKeyData, recordRefusal, startRecording } from './session-login.js';
import { upstreamStartupParameters } from './startup-params.js';
import { UpstreamLogin } from './upstream-login.js';
import { formatPeer } from '../../core/peer-address.js';

type Phase = 'handshake' | 'auth' | 'relay' | 'closed';

/** Errors that mean the peer sent bytes that are not (or no longer) the protocol. */
function isWireError(err: unknown): err is Error {
  return isTollgateError(err) && (err.code === 'TG_ERR_PROTOCOL' || err.code === 'TG_ERR_MESSAGE_TOO_LARGE');
}

/**
 * One client connection: the socket adapter around ClientHandshake (startup), the async login
 * (token, policy, upstream) and RelaySession (everything after). It owns both sockets, flow
 * control (write backpressure and the recording sink's) and the session's timers' checks.
 */
export class ServerSession {
  private phase: Phase = 'handshake';
  private readonly decoder: FrontendDecoder;
  private readonly handshake: ClientHandshake;
  private readonly openedAt: number;
  private lastActivity: number;
  private relay: RelaySession | undefined;
  private upstream: Socket | undefined;
  private upDecoder: BackendDecoder | undefined;
  private heldUpstream: DecodedBackendMessage | undefined;
  private pumping = false;
  private recorder: SessionRecorder | undefined;
  private wire: WireRecorder | undefined;
  private identity: VerifiedIdentity | undefined;
  private strict = true;
  private target: UpstreamTarget | undefined;
  private upstreamKey: { processId: number; secretKey: Buffer } | undefined;
  private gatewayKey: number | undefined;
  private cancelSentFor = -1;
  private startupRaw: Buffer | undefined;
  private waits = { clientWrite: false, upstreamWrite: false, sink: false, catalog: false };
  private bytesFromClient = 0;
  private bytesToClient = 0;

  constructor(
    private socket: Socket,
    private readonly deps: GatewayDeps,
    private readonly onClosed: (s: ServerSession) => void,
  ) {
    this.decoder = new FrontendDecoder({ maxMessageSize: deps.config.limits.maxMessageSize });
    this.handshake = new ClientHandshake({ tlsAvailable: deps.tls !== undefined, tlsRequired: deps.tls?.required ?? false });
    this.openedAt = this.lastActivity = deps.clock.nowMs();
    socket.setNoDelay(true);
    this.attachClient(socket);
  }

  private attachClient(s: Socket): void {
    s.on('data', (chunk: Buffer) => this.onClientData(chunk));
    s.on('drain', () => this.setWait('clientWrite', false));
    s.on('error', () => this.finish('client connection error', null));
    s.on('close', () => this.finish(this.relay?.ended?.reason ?? 'client disconnected', null));
  }

  private onClientData(chunk: Buffer): void {
    this.lastActivity = this.deps.clock.nowMs();
    this.bytesFromClient += chunk.length;
    this.decoder.push(chunk);
    if (this.phase === 'handshake') this.runHandshake();
    else if (this.phase === 'relay') this.runClient();
  }

  private runHandshake(): void {
    try {
      for (let msg = this.decoder.next(); msg !== undefined && this.phase === 'handshake'; msg = this.decoder.next()) {
        if (msg.kind === 'StartupMessage') this.startupRaw = Buffer.from(msg.raw);
        const step = this.handshake.onMessage(msg);
        switch (step.kind) {
          case 'reply':
            this.socket.write(step.bytes);
            break;
          case 'start-tls':
            return this.startTls(step.bytes);
          case 'cancel':
            this.deps.cancelKeys.cancel(step.processId, step.secretKey);
            return this.close();
          case 'refuse':
            this.socket.end(step.bytes);
            return this.close();
          case 'authenticate':
            this.phase = 'auth';
            this.socket.pause();
            this.authenticate(step.startup, step.token, msg.raw.length).catch((err: unknown) => this.internalFailure(err));
            return;
        }
      }
    } catch (err) {
      this.failure(err);
    }
  }

  private startTls(answer: Buffer): void {
    // Bytes sent before the handshake were never encrypted (CVE-2021-23214): refuse them.
    if (this.decoder.bufferedBytes > 0) {
      this.socket.end(gatewayError('FATAL', GatewaySqlState.protocolViolation, 'received unencrypted data after SSLRequest'));
      return this.close();
    }
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    // Errors of the wrapped socket surface on the TLS socket; this keeps a stray one from crashing the process.
    plain.on('error', () => undefined);
    plain.write(answer);
    const secure = new TLSSocket(plain, { isServer: true, secureContext: this.deps.tls?.context });
    this.socket = secure;
    this.attachClient(secure);
  }

  private async authenticate(startup: ClientStartup, token: string, passwordSize: number): Promise<void> {
    const d = this.deps;
    const name = startup.connection;
    const a = await admit(d, name, token, this.socket.remoteAddress ?? '');
    // The client may have gone while its token was being verified: nothing to start then.
    if (this.isClosed) return;
    if (!('compiled' in a)) {
      d.logger.info({ connection: name, subject: a.identity?.subject, reason: a.message }, 'postgres session refused');
      recordRefusal(d, name, a);
      this.socket.end(gatewayError('FATAL', a.code, a.message));
      return this.close();
    }
    this.identity = a.identity;
    this.strict = a.grant.recording === 'strict';
    const { recorder, wire } = startRecording(d, a, {
      address: formatPeer(this.socket.remoteAddress, this.socket.remotePort),
      startupRaw: this.startupRaw,
      passwordSize,
    });
    this.recorder = recorder;
    this.wire = wire;
    const { conn } = a;
    const target: UpstreamTarget = {
      connection: name, host: conn.host, port: conn.port, tls: conn.upstream.tls,
      maxMessageSize: d.config.limits.maxMessageSize, connectTimeoutMs: 10_000,
    };
    this.target = target;
    const login = new UpstreamLogin(conn.upstream.user, conn.upstream.password?.reveal(), name);
    const packet = login.startupPacket(upstreamStartupParameters(startup, { user: conn.upstream.user, database: conn.database, readOnly: a.compiled.readOnly }));
    let up;
    try {
      up = await openUpstream(target, packet, login, {
        sent: (kind, bytes, secret) => wire.toUpstream(kind, bytes, secret),
        received: (msg) => (msg.kind === 'BackendKeyData' ? recordKeyData(wire, 'UPSTREAM_TO_GATEWAY', msg.raw.length) : wire.upstream(msg.kind, msg.raw)),
      });
    } catch (err) {
      const message = `cannot open connection "${name}": ${err instanceof Error ? err.message : String(err)}`;
      d.logger.warn({ err, connection: name }, 'postgres upstream login failed');
      this.socket.end(gatewayError('FATAL', GatewaySqlState.connectionFailure, message));
      return this.finish(message, GatewaySqlState.connectionFailure);
    }
    if (this.isClosed) {
      up.socket.destroy();
      return;
    }
    this.upstream = up.socket;
    this.upDecoder = up.decoder;
    this.upstreamKey = login.backendKey;
    const key = d.cancelKeys.issue(() => this.cancelUpstream());
    this.gatewayKey = key.processId;
    this.relay = buildRelay(d, a, wire);
    for (const b of greetClient(wire, key, login.parameterFrames, up.status)) this.writeClient(b);
    this.phase = 'relay';
    this.attachUpstream(up.socket, name);
    this.socket.resume();
    this.runClient();
  }

  private attachUpstream(upstream: Socket, name: string): void {
    upstream.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
    upstream.on('drain', () => this.setWait('upstreamWrite', false));
    upstream.on('error', () => this.endWith(GatewaySqlState.connectionFailure, `connection to the upstream of "${name}" failed`));
    upstream.on('close', () => this.endWith(GatewaySqlState.connectionFailure, `the upstream of "${name}" closed the connection`));
    upstream.resume();
  }

  private runClient(): void {
    const relay = this.relay;
    if (relay === undefined) return;
    try {
      for (let msg = this.decoder.next(); msg !== undefined; msg = this.decoder.next()) {
        relay.fromClient(msg);
        if (relay.ended !== undefined) break;
      }
    } catch (err) {
      return this.failure(err);
    }
    this.flush();
  }

  private onUpstreamData(chunk: Buffer): void {
    this.lastActivity = this.deps.clock.nowMs();
    this.upDecoder?.push(chunk);
    this.pumpUpstream();
  }

  /**
   * Hands upstream messages to the relay. Synchronous (no promise per socket chunk) unless a
   * RowDescription or CopyOutResponse needs a catalog lookup first: then the message is held,
   * upstream reads pause, and pumping resumes with it once the lookup settles.
   */
  private pumpUpstream(): void {
    const relay = this.relay;
    const decoder = this.upDecoder;
    if (this.pumping || relay === undefined || decoder === undefined) return;
    this.pumping = true;
    try {
      for (;;) {
        const msg = this.heldUpstream ?? decoder.next();
        if (msg === undefined) break;
        const wait = this.catalogWait(msg);
        if (wait !== undefined) {
          this.heldUpstream = msg;
          this.flush();
          this.setWait('catalog', true);
          wait.then(() => this.resumeAfterCatalog(), (err: unknown) => this.pumpFailed(err));
          return;
        }
        this.heldUpstream = undefined;
        relay.fromUpstream(msg);
      }
    } catch (err) {
      this.pumpFailed(err);
      return;
    }
    this.pumping = false;
    this.flush();
  }

  private resumeAfterCatalog(): void {
    this.pumping = false;
    this.setWait('catalog', false);
    if (this.phase === 'relay') this.pumpUpstream();
  }

  private pumpFailed(err: unknown): void {
    this.pumping = false;
    if (isWireError(err)) this.endWith(GatewaySqlState.protocolViolation, `the upstream sent a bad message: ${err.message}`);
    else this.internalFailure(err);
    this.flush();
  }

  private catalogWait(msg: DecodedBackendMessage): Promise<void> | undefined {
    const masking = this.relay?.results;
    if (masking === undefined) return undefined;
    if (msg.kind === 'RowDescription') return masking.pendingFields(msg.fields);
    if (msg.kind === 'CopyOutResponse') return masking.pendingCopy();
    return undefined;
  }

  /** Writes what the relay queued, then applies flow control. */
  private flush(): void {
    const relay = this.relay;
    if (relay === undefined) return;
    const up = relay.toUpstream.drain();
    if (up.length > 0 && this.upstream !== undefined && !this.upstream.destroyed) {
      let ok = true;
      for (const b of up) ok = this.upstream.write(b);
      if (!ok) this.setWait('upstreamWrite', true);
    }
    const down = relay.toClient.drain();
    let ok = true;
    for (const b of down) ok = this.writeClient(b);
    if (!ok) this.setWait('clientWrite', true);
    if (relay.ended !== undefined) return this.finish(relay.ended.reason, relay.ended.error);
    if (this.deps.sink.overloaded && !this.waits.sink) {
      this.setWait('sink', true);
      void this.deps.sink.ready().then(() => this.setWait('sink', false));
    }
  }

  private writeClient(b: Buffer): boolean {
    this.bytesToClient += b.length;
    return this.socket.destroyed ? true : this.socket.write(b);
  }

  private setWait(what: keyof ServerSession['waits'], on: boolean): void {
    this.waits[what] = on;
    if (this.phase !== 'relay') return;
    const w = this.waits;
    const pauseClient = w.upstreamWrite || w.sink;
    const pauseUpstream = w.clientWrite || w.sink || w.catalog;
    if (pauseClient) this.socket.pause();
    else this.socket.resume();
    if (pauseUpstream) this.upstream?.pause();
    else this.upstream?.resume();
  }

  private cancelUpstream(): void {
    if (this.target !== undefined && this.upstreamKey !== undefined) {
      sendUpstreamCancel(this.target, this.upstreamKey.processId, this.upstreamKey.secretKey);
    }
  }

  /** Checks the idle, statement and token limits; called about once a second. */
  sweep(now: number): void {
    const relay = this.relay;
    const action = checkLimits(now, {
      phase: this.phase,
      openedAt: this.openedAt,
      lastActivity: this.lastActivity,
      tokenExpiresAt: this.identity?.expiresAt,
      outstanding: relay?.outstanding ?? 0,
      busySince: relay?.busySince ?? 0,
      cancelledBusySince: this.cancelSentFor,
    }, this.deps.config.limits);
    if (action === undefined) return;
    if (action.kind === 'end') return this.endWith(action.code, action.message);
    this.cancelSentFor = relay?.busySince ?? 0;
    this.wire?.decision('policy.block', 'BLOCK', { rule: 'limits/statement-timeout', reason: action.message });
    this.cancelUpstream();
  }

  /** Reacts to the recording sink: strict sessions end when it degrades, all when it fails. */
  onSinkState(state: SinkState): void {
    if (this.phase !== 'relay') return;
    if (state === 'failed' || (state === 'degraded' && this.strict)) {
      this.endWith(GatewaySqlState.adminShutdown, `terminating connection: recording is unavailable (event log ${state}) and this connection may not run unrecorded`);
    }
  }

  /** Ends the session with a FATAL error to the client. */
  endWith(code: string, message: string): void {
    if (this.phase === 'closed') return;
    if (this.relay !== undefined) {
      this.relay.fatal(code, message);
      this.flush();
      return;
    }
    this.socket.end(gatewayError('FATAL', code, message));
    this.finish(message, code);
  }

  /** A client message the decoder refused ends the session; anything else is the gateway's own fault. */
  private failure(err: unknown): void {
    if (!isWireError(err)) return this.internalFailure(err);
    this.deps.logger.info({ err, remote: this.socket.remoteAddress }, 'postgres client sent a bad message');
    this.endWith(GatewaySqlState.protocolViolation, `invalid message from client: ${err.message}`);
  }

  /** Ends the session after an unexpected error (recording closed, a bug) without taking the process down. */
  internalFailure(err: unknown): void {
    this.deps.logger.error({ err, sessionId: this.sessionId }, 'postgres session failed');
    try {
      this.endWith(GatewaySqlState.internalError, 'terminating connection: internal error in the tollgate gateway');
    } catch {
      this.phase = 'closed';
      this.socket.destroy();
      this.upstream?.destroy();
      this.onClosed(this);
    }
  }

  /** Ends the session once: records session.end, releases the cancel key, closes both sockets. */
  finish(reason: string, error: string | null): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    const recorder = this.recorder;
    if (recorder !== undefined) {
      try {
        recorder.record({
          direction: 'GATEWAY',
          eventType: 'session.end',
          body: sessionEndBody(reason, { error, bytesFromClient: this.bytesFromClient, bytesToClient: this.bytesToClient, frames: recorder.frames + 1 }),
        });
      } catch (err) {
        this.deps.logger.warn({ err, sessionId: recorder.sessionId }, 'could not record session.end');
      }
    }
    if (this.gatewayKey !== undefined) this.deps.cancelKeys.release(this.gatewayKey);
    if (this.upstream !== undefined && !this.upstream.destroyed) this.upstream.end(EMPTY_FRONTEND.Terminate);
    this.socket.end();
    setTimeout(() => {
      this.upstream?.destroy();
      this.socket.destroy();
    }, 2000).unref();
    this.onClosed(this);
  }

  private close(): void {
    this.finish('closed during startup', null);
  }

  private get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** The session id once recording started (for tests and logs). */
  get sessionId(): string | undefined {
    return this.recorder?.sessionId;
  }
}

import type ssh2 from 'ssh2';
import { sessionEndBody, sessionStartBody } from '../../core/events/bodies.js';
import type { Target } from '../../core/events/types.js';
import type { VerifiedIdentity } from '../../core/identity/index.js';
import { SessionRecorder } from '../../core/recording/recorder.js';
import type { SinkState } from '../../core/recording/sink.js';
import { sendAuthBanner } from './auth-banner.js';
import type { ChannelContext } from './channel-context.js';
import { Forwarding } from './forwarding.js';
import type { SshRules } from './guardrails/compile.js';
import { decideLogin, type LoginResult } from './login.js';
import type { SshGatewayDeps } from './server.js';
import { handleSession } from './session-channel.js';
import { SshRecording } from './ssh-recording.js';
import { connectUpstream, type SshConnection } from './upstream.js';

const MAX_LOGIN_ATTEMPTS = 3;
const UPSTREAM_READY_TIMEOUT_MS = 15_000;

type Authorized = Extract<LoginResult, { ok: true }>;

/**
 * One client connection: authenticates the token, opens the upstream connection with the
 * gateway's credentials (before accepting, so a refusal can still be explained), then serves
 * session, direct-tcpip and tcpip-forward requests until either side ends or a limit is hit.
 */
export class ClientConnection implements ChannelContext {
  private attempts = 0;
  private authorizing = false;
  private login: Authorized | undefined;
  private upClient: ssh2.Client | undefined;
  private recording: SshRecording | undefined;
  private ended = false;
  private lastActivity: number;
  private timer: NodeJS.Timeout | undefined;
  private channelIds = 0;
  private readonly channels = new Set<(reason?: string) => void>();

  constructor(private readonly d: SshGatewayDeps, private readonly conn: ssh2.Connection, private readonly remoteAddress: string, private readonly onClosed: () => void) {
    this.lastActivity = d.clock.nowMs();
  }

  get rules(): SshRules { return this.login!.rules; }
  get rec(): SshRecording { return this.recording!; }
  get up(): ssh2.Client { return this.upClient!; }
  get sink() { return this.d.sink; }
  get logger() { return this.d.logger; }
  get maxMessageSize(): number { return this.d.config.limits.maxMessageSize; }
  get open(): boolean { return !this.ended; }
  touch(): void { this.lastActivity = this.d.clock.nowMs(); }

  track(close: (reason?: string) => void): () => void {
    this.channels.add(close);
    return () => this.channels.delete(close);
  }

  start(): void {
    const c = this.conn;
    // Keystrokes and echoes are small packets: Nagle's algorithm would hold them back (OpenSSH sets this too).
    // ssh2's Connection has setNoDelay at run time; @types/ssh2 only declares it on Client.
    (c as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    c.on('authentication', (ctx) => this.authenticate(ctx));
    c.on('ready', () => this.ready());
    c.on('error', (err) => this.d.logger.debug({ err, remoteAddress: this.remoteAddress }, 'ssh client connection error'));
    c.on('close', () => this.end('client disconnected'));
  }

  private authenticate(ctx: ssh2.AuthContext): void {
    if (this.authorizing) return ctx.reject(['password', 'keyboard-interactive']);
    if (ctx.method === 'password') return void this.tryLogin(ctx, ctx.username, ctx.password);
    if (ctx.method === 'keyboard-interactive') {
      return ctx.prompt([{ prompt: 'tollgate identity token: ', echo: false }], 'tollgate', 'Paste your tollgate identity token.', (answers) => {
        void this.tryLogin(ctx, ctx.username, answers[0] ?? '');
      });
    }
    ctx.reject(['password', 'keyboard-interactive']);
  }

  private async tryLogin(ctx: ssh2.AuthContext, username: string, token: string): Promise<void> {
    this.authorizing = true;
    const result = await decideLogin(this.d, username, token, this.remoteAddress);
    if (result.ok) {
      try {
        this.upClient = await connectUpstream(result.connection, result.conn, { readyTimeoutMs: UPSTREAM_READY_TIMEOUT_MS, ...(this.d.upstream === undefined ? {} : { extra: this.d.upstream }) });
      } catch (err) {
        this.authorizing = false;
        return this.refuse(ctx, { ok: false, connection: result.connection, subject: result.identity.subject, message: (err as Error).message });
      }
      this.authorizing = false;
      if (this.ended) return void this.upClient.end();
      this.login = result;
      this.startRecording(result);
      return ctx.accept();
    }
    this.authorizing = false;
    this.refuse(ctx, result);
  }

  private refuse(ctx: ssh2.AuthContext, result: Extract<LoginResult, { ok: false }>): void {
    this.d.logger.info({ connection: result.connection, subject: result.subject, reason: result.message, remoteAddress: this.remoteAddress }, 'ssh login refused');
    if (this.d.sink.admits('strict')) {
      const recorder = new SessionRecorder(this.d.ids.sessionId(), 'SSH', this.d.codec, this.d.sink, this.d.clock);
      const rec = new SshRecording(recorder);
      rec.decision('auth.fail', 'AUTH_FAIL', null, { subject: result.subject, reason: result.message, details: { connection: result.connection.slice(0, 64) } });
      recorder.record({ direction: 'GATEWAY', eventType: 'session.end', body: sessionEndBody(result.message, { error: 'TG_ERR_AUTH', frames: recorder.frames + 1 }) });
    }
    sendAuthBanner(this.conn, `tollgate: ${result.message}`);
    if (++this.attempts >= MAX_LOGIN_ATTEMPTS) {
      ctx.reject();
      this.conn.end();
      return;
    }
    ctx.reject(['password', 'keyboard-interactive']);
  }

  private startRecording(login: Authorized): void {
    const d = this.d;
    const recorder = new SessionRecorder(d.ids.sessionId(), 'SSH', d.codec, d.sink, d.clock);
    this.recording = new SshRecording(recorder);
    recorder.record({
      direction: 'GATEWAY',
      eventType: 'session.start',
      body: sessionStartBody({
        identity: recordedIdentity(login.identity, login.grant.roles),
        target: recordedTarget(login.connection, login.conn),
        clientAddress: this.remoteAddress,
        gatewayNode: d.config.node.name,
        grant: login.grant.roles.join(','),
        guardrails: [...login.grant.guardrails],
        maskingProfiles: [...login.grant.masking],
        recordingPolicy: login.grant.recording === 'strict' ? 'STRICT' : 'BUFFERED',
        tokenExpiresAtMs: login.identity.expiresAt,
      }),
    });
    this.rec.decision('auth.ok', 'AUTH_OK', null, { subject: login.identity.subject, reason: `connection ${login.connection}`, details: { sshProfiles: login.rules.profiles.join(',') } });
    this.upClient!.on('close', () => this.end('the target closed the connection'));
    this.upClient!.on('error', (err) => this.d.logger.warn({ err, connection: login.connection }, 'ssh upstream connection error'));
    this.scheduleChecks();
  }

  private ready(): void {
    if (this.login === undefined) return void this.conn.end();
    const forwarding = new Forwarding(this, this.conn, () => this.channelIds++);
    this.conn.on('session', (accept) => {
      if (this.ended) return;
      const id = this.channelIds++;
      this.rec.json('ssh.channel.open', 'session', id, { type: 'session' });
      handleSession(this, id, accept());
    });
    this.conn.on('tcpip', (accept, reject, info) => (this.ended ? reject() : forwarding.direct(accept, reject, info)));
    this.conn.on('request', (accept, reject, name, info) => (this.ended ? reject?.() : forwarding.request(accept, reject, name, info)));
  }

  /** Idle timeout and token expiry (plus grace), checked on one timer. */
  private scheduleChecks(): void {
    const { idleTimeout, tokenExpiryGrace } = this.d.config.limits;
    const check = () => {
      if (this.ended) return;
      const now = this.d.clock.nowMs();
      const expiresAt = this.login!.identity.expiresAt + tokenExpiryGrace;
      if (now >= expiresAt) return this.end('the identity token expired; reconnect with a fresh token', true);
      if (idleTimeout > 0 && now - this.lastActivity >= idleTimeout) return this.end(`idle for longer than ${Math.round(idleTimeout / 1000)} s`, true);
      const nextIdle = idleTimeout > 0 ? this.lastActivity + idleTimeout - now : Infinity;
      this.timer = setTimeout(check, Math.max(50, Math.min(expiresAt - now, nextIdle, 60_000)));
      this.timer.unref();
    };
    check();
  }

  /** The recording sink changed state: strict sessions cannot outlive a degraded log, none a failed one. */
  sinkChanged(state: SinkState): void {
    const strict = this.login?.grant.recording === 'strict';
    if (state === 'failed' || (state === 'degraded' && strict)) this.end('recording is unavailable and this session may not continue unrecorded', true);
  }

  /** Ends the session once: notifies open channels, records session.end, closes both connections. */
  end(reason: string, notify = false): void {
    if (this.ended) return;
    clearTimeout(this.timer);
    for (const close of [...this.channels]) close(notify ? reason : undefined);
    if (this.recording !== undefined) {
      const r = this.recording;
      r.recorder.record({ direction: 'GATEWAY', eventType: 'session.end', body: sessionEndBody(reason, { bytesFromClient: r.bytesFromClient, bytesToClient: r.bytesToClient, frames: r.recorder.frames + 1 }) });
    }
    this.ended = true;
    this.upClient?.end();
    this.conn.end();
    this.onClosed();
  }
}

function recordedIdentity(identity: VerifiedIdentity, roles: readonly string[]) {
  return { subject: identity.subject, issuer: identity.issuer, groups: [...identity.groups], roles: [...roles], claimsJson: JSON.stringify(identity.claims) };
}

function recordedTarget(name: string, conn: SshConnection): Target {
  return { connection: name, protocol: 'SSH', host: conn.host, port: conn.port, database: null, user: conn.upstream.user };
}

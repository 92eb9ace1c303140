import { GatewaySqlState, gatewayError } from './gateway-errors.js';
import { readPasswordMessage } from './protocol/auth-response.js';
import { writeNegotiateProtocolVersion } from './protocol/backend-session.js';
import { AUTHENTICATION_CLEARTEXT_PASSWORD, ENCRYPTION_RESPONSE, Writer, type DecodedFrontendMessage } from './protocol/index.js';
import { isRefusal, readClientStartup, type ClientStartup } from './startup-params.js';

/** What the adapter must do for one client message of the startup phase. */
export type HandshakeStep =
  | { readonly kind: 'reply'; readonly bytes: Buffer }
  | { readonly kind: 'start-tls'; readonly bytes: Buffer }
  | { readonly kind: 'cancel'; readonly processId: number; readonly secretKey: Buffer }
  | { readonly kind: 'authenticate'; readonly startup: ClientStartup; readonly token: string }
  | { readonly kind: 'refuse'; readonly bytes: Buffer; readonly reason: string };

export interface HandshakeOptions {
  /** Whether a TLS context is configured. */
  readonly tlsAvailable: boolean;
  /** `listeners.postgres.tls.mode: required`: plaintext sessions are refused. */
  readonly tlsRequired: boolean;
}

/**
 * The client side of connection setup, without I/O: SSLRequest (TLS if configured), GSSENCRequest
 * (always 'N'), CancelRequest, StartupMessage, then a cleartext password request whose answer is
 * the caller's JWT. The connection name is the database name.
 */
export class ClientHandshake {
  private state: 'startup' | 'password' | 'done' = 'startup';
  private startup: ClientStartup | undefined;
  tls = false;

  constructor(private readonly options: HandshakeOptions) {}

  /** Handles one decoded client message before authentication. */
  onMessage(msg: DecodedFrontendMessage): HandshakeStep {
    if (this.state === 'password') return this.onPassword(msg);
    if (this.state === 'done') return this.refuse(GatewaySqlState.protocolViolation, 'unexpected message during authentication');
    switch (msg.kind) {
      case 'SSLRequest':
        if (this.tls || !this.options.tlsAvailable) return { kind: 'reply', bytes: ENCRYPTION_RESPONSE.N };
        this.tls = true;
        return { kind: 'start-tls', bytes: ENCRYPTION_RESPONSE.S };
      case 'GSSENCRequest':
        return { kind: 'reply', bytes: ENCRYPTION_RESPONSE.N };
      case 'CancelRequest':
        this.state = 'done';
        return { kind: 'cancel', processId: msg.processId, secretKey: msg.secretKey };
      case 'StartupMessage':
        return this.onStartup(msg.minorVersion, msg.parameters);
      default:
        return this.refuse(GatewaySqlState.protocolViolation, `expected a startup packet, got ${msg.kind}`);
    }
  }

  private onStartup(minor: number, params: ReadonlyMap<string, string>): HandshakeStep {
    if (this.options.tlsRequired && !this.tls) {
      return this.refuse(GatewaySqlState.invalidAuthorization, 'tollgate requires TLS on this listener: connect with sslmode=require or sslmode=verify-full');
    }
    const startup = readClientStartup(params);
    if (isRefusal(startup)) return this.refuse(startup.code, startup.message);
    this.startup = startup;
    this.state = 'password';
    const protocolOptions = [...params.keys()].filter((k) => k.startsWith('_pq_.'));
    if (minor === 0 && protocolOptions.length === 0) return { kind: 'reply', bytes: AUTHENTICATION_CLEARTEXT_PASSWORD };
    // The gateway speaks protocol 3.0: say so, as PostgreSQL does, before asking for the password.
    const w = writeNegotiateProtocolVersion(new Writer(64), 0, protocolOptions);
    return { kind: 'reply', bytes: Buffer.concat([w.finish(), AUTHENTICATION_CLEARTEXT_PASSWORD]) };
  }

  private onPassword(msg: DecodedFrontendMessage): HandshakeStep {
    const startup = this.startup;
    if (msg.kind !== 'AuthenticationResponse' || startup === undefined) {
      return this.refuse(GatewaySqlState.protocolViolation, `expected a password message, got ${msg.kind}`);
    }
    this.state = 'done';
    let token: string;
    try {
      token = readPasswordMessage(msg.raw);
    } catch {
      return this.refuse(GatewaySqlState.protocolViolation, 'malformed password message');
    }
    if (token === '') return this.refuse(GatewaySqlState.invalidPassword, 'no token: send your tollgate identity token (JWT) as the password');
    return { kind: 'authenticate', startup, token };
  }

  private refuse(code: string, message: string): HandshakeStep {
    this.state = 'done';
    return { kind: 'refuse', bytes: gatewayError('FATAL', code, message), reason: message };
  }
}

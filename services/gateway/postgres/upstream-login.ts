import { TollgateError } from '../../core/errors.js';
import { writeAuthenticationResponse } from './protocol/auth-response.js';
import { writeStartupMessage } from './protocol/frontend-startup.js';
import {
  md5PasswordHash,
  parseScramServerFirst,
  SCRAM_SHA_256,
  scramClientFinal,
  scramClientFirst,
  verifyScramServerFinal,
  Writer,
  type DecodedBackendMessage,
  type ScramClientFinal,
  type ScramClientFirst,
  type TransactionStatus,
} from './protocol/index.js';

/** What one upstream message during login asks the gateway to do. */
export type LoginStep =
  | { readonly kind: 'send'; readonly bytes: Buffer }
  | { readonly kind: 'wait' }
  | { readonly kind: 'ready'; readonly status: TransactionStatus };

/**
 * The gateway's side of logging into the upstream server with gateway-held credentials, without
 * I/O: feed every upstream message to `onMessage` until it answers `ready`. Supports trust,
 * cleartext, md5 and SCRAM-SHA-256 (without channel binding). Failures throw TG_ERR_UPSTREAM with
 * the server's own message, never the password.
 */
export class UpstreamLogin {
  /** ParameterStatus frames in arrival order, relayed to the client once login is done. */
  readonly parameterFrames: Buffer[] = [];
  readonly parameters = new Map<string, string>();
  backendKey: { readonly processId: number; readonly secretKey: Buffer } | undefined;
  private scramFirst: ScramClientFirst | undefined;
  private scramFinal: ScramClientFinal | undefined;

  constructor(
    private readonly user: string,
    private readonly password: string | undefined,
    private readonly connection: string,
  ) {}

  /** The StartupMessage to send first. */
  startupPacket(parameters: ReadonlyMap<string, string>): Buffer {
    return writeStartupMessage(new Writer(256), { majorVersion: 3, minorVersion: 0, parameters }).finish();
  }

  /** Handles one upstream message of the login phase. */
  onMessage(msg: DecodedBackendMessage): LoginStep {
    switch (msg.kind) {
      case 'AuthenticationOk':
        return WAIT;
      case 'AuthenticationCleartextPassword':
        return this.sendPassword(this.requirePassword('cleartext'));
      case 'AuthenticationMD5Password':
        return this.sendPassword(md5PasswordHash(this.user, this.requirePassword('md5'), msg.salt));
      case 'AuthenticationSASL':
        return this.scramStart(msg.mechanisms);
      case 'AuthenticationSASLContinue':
        return this.scramContinue(msg.data);
      case 'AuthenticationSASLFinal':
        if (this.scramFinal === undefined) throw this.fail('sent SASLFinal before SASLContinue');
        verifyScramServerFinal(msg.data.toString('utf8'), this.scramFinal.expectedServerSignature);
        return WAIT;
      case 'ParameterStatus':
        this.parameters.set(msg.name, msg.value);
        this.parameterFrames.push(Buffer.from(msg.raw));
        return WAIT;
      case 'BackendKeyData':
        this.backendKey = { processId: msg.processId, secretKey: Buffer.from(msg.secretKey) };
        return WAIT;
      case 'NoticeResponse':
      case 'NegotiateProtocolVersion':
        return WAIT;
      case 'ReadyForQuery':
        return { kind: 'ready', status: msg.status };
      case 'ErrorResponse':
        throw this.fail(`refused the gateway's login: ${msg.fields.get('M') ?? 'no message'}`, msg.fields.get('C'));
      default:
        throw this.fail(`sent ${msg.kind} during login (unsupported authentication method?)`);
    }
  }

  private requirePassword(method: string): string {
    if (this.password === undefined) {
      throw this.fail(`asks for ${method} password authentication but connections.${this.connection}.upstream.password is not configured`);
    }
    return this.password;
  }

  private sendPassword(password: string): LoginStep {
    return { kind: 'send', bytes: writeAuthenticationResponse(new Writer(64), { kind: 'PasswordMessage', password }).finish() };
  }

  private scramStart(mechanisms: readonly string[]): LoginStep {
    if (!mechanisms.includes(SCRAM_SHA_256)) throw this.fail(`offers only SASL mechanisms ${mechanisms.join(', ')}; tollgate supports ${SCRAM_SHA_256}`);
    this.requirePassword('SCRAM');
    const first = scramClientFirst();
    this.scramFirst = first;
    const data = Buffer.from(first.message, 'utf8');
    return { kind: 'send', bytes: writeAuthenticationResponse(new Writer(128), { kind: 'SASLInitialResponse', mechanism: first.mechanism, data }).finish() };
  }

  private scramContinue(data: Buffer): LoginStep {
    const first = this.scramFirst;
    if (first === undefined) throw this.fail('sent SASLContinue before the exchange started');
    const server = parseScramServerFirst(data.toString('utf8'), first.clientNonce);
    const final = scramClientFinal(first, server, { password: this.requirePassword('SCRAM') });
    this.scramFinal = final;
    return { kind: 'send', bytes: writeAuthenticationResponse(new Writer(160), { kind: 'SASLResponse', data: Buffer.from(final.message, 'utf8') }).finish() };
  }

  private fail(what: string, sqlstate?: string): TollgateError {
    return new TollgateError('TG_ERR_UPSTREAM', `upstream of connection "${this.connection}" ${what}`, {
      context: { connection: this.connection, ...(sqlstate === undefined ? {} : { sqlstate }) },
    });
  }
}

const WAIT: LoginStep = { kind: 'wait' };

import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { TollgateError } from '../../../core/errors.js';
import { protocolError } from './protocol-error.js';
import { saslprep } from './saslprep.js';

/*
 * SCRAM-SHA-256 client (RFC 5802, RFC 7677) as the gateway uses it to log into an upstream:
 *   client-first = gs2-header client-first-bare      gs2-header = "n,," | "y,," | "p=" cb-name ",,"
 *   client-first-bare = "n=" saslname ",r=" c-nonce
 *   server-first = "r=" c-nonce s-nonce ",s=" base64(salt) ",i=" iterations
 *   client-final = "c=" base64(gs2-header cb-data) ",r=" nonce ",p=" base64(ClientKey XOR ClientSignature)
 *   server-final = "v=" base64(ServerSignature) | "e=" error
 * PostgreSQL takes the user from the StartupMessage and ignores n=, so the user defaults to empty.
 */

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
export const SCRAM_SHA_256_PLUS = 'SCRAM-SHA-256-PLUS';

/** Above this the server could make the gateway spin in PBKDF2; PostgreSQL's default is 4096. */
export const DEFAULT_MAX_SCRAM_ITERATIONS = 10_000_000;

/** 'n': no channel binding; 'y': the client could bind but the server offered no -PLUS; or bind to TLS. */
export type ChannelBinding = 'n' | 'y' | { readonly name: string; readonly data: Buffer };

export interface ScramClientFirst {
  /** The SASLInitialResponse data. */
  readonly message: string;
  readonly mechanism: string;
  readonly clientNonce: string;
  readonly clientFirstBare: string;
  readonly gs2Header: string;
  readonly channelBinding: ChannelBinding;
}

/** Builds client-first-message; pass `nonce` only in tests, the default is 18 random bytes like libpq. */
export function scramClientFirst(options: { nonce?: string; username?: string; channelBinding?: ChannelBinding } = {}): ScramClientFirst {
  const nonce = options.nonce ?? randomBytes(18).toString('base64');
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)) throw protocolError('SCRAM nonce must be printable ASCII without commas');
  const cb = options.channelBinding ?? 'n';
  const gs2Header = typeof cb === 'string' ? `${cb},,` : `p=${cb.name},,`;
  const clientFirstBare = `n=${saslname(options.username ?? '')},r=${nonce}`;
  return {
    message: gs2Header + clientFirstBare,
    mechanism: typeof cb === 'string' ? SCRAM_SHA_256 : SCRAM_SHA_256_PLUS,
    clientNonce: nonce,
    clientFirstBare,
    gs2Header,
    channelBinding: cb,
  };
}

function saslname(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

export interface ScramServerFirst {
  readonly message: string;
  readonly nonce: string;
  readonly salt: Buffer;
  readonly iterations: number;
}

/** Parses and checks server-first-message against our nonce. */
export function parseScramServerFirst(message: string, clientNonce: string, maxIterations = DEFAULT_MAX_SCRAM_ITERATIONS): ScramServerFirst {
  const attrs = parseAttributes(message, 'server-first-message');
  if (attrs.has('m')) throw protocolError('SCRAM server requires an unsupported extension (m=)');
  const nonce = attrs.get('r');
  const salt = attrs.get('s');
  const iterText = attrs.get('i');
  if (nonce === undefined || salt === undefined || iterText === undefined) {
    throw protocolError('SCRAM server-first-message lacks r=, s= or i=');
  }
  if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
    throw protocolError('SCRAM server nonce does not extend the client nonce');
  }
  const iterations = /^[1-9][0-9]{0,9}$/.test(iterText) ? Number(iterText) : NaN;
  if (!(iterations >= 1 && iterations <= maxIterations)) {
    throw protocolError(`SCRAM iteration count ${JSON.stringify(iterText)} is not between 1 and ${maxIterations}`);
  }
  const saltBytes = Buffer.from(salt, 'base64');
  if (saltBytes.length === 0 || saltBytes.toString('base64') !== salt) throw protocolError('SCRAM salt is not valid base64');
  return { message, nonce, salt: saltBytes, iterations };
}

function parseAttributes(message: string, what: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw protocolError(`SCRAM ${what} is malformed`);
    attrs.set(part[0] ?? '', part.slice(2));
  }
  return attrs;
}

/** PBKDF2 of the SASLprep'ed password: the costly step, exported so a session can cache or offload it. */
export function scramSaltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(saslprep(password), salt, iterations, 32, 'sha256');
}

export interface ScramClientFinal {
  /** The SASLResponse data. */
  readonly message: string;
  /** What server-final's v= must carry; check it with verifyScramServerFinal. */
  readonly expectedServerSignature: Buffer;
}

/** Builds client-final-message with the proof, from the password or an already salted password. */
export function scramClientFinal(
  first: ScramClientFirst,
  server: ScramServerFirst,
  secret: { password: string } | { saltedPassword: Buffer },
): ScramClientFinal {
  const salted = 'password' in secret ? scramSaltedPassword(secret.password, server.salt, server.iterations) : secret.saltedPassword;
  const cbData = typeof first.channelBinding === 'string' ? Buffer.alloc(0) : first.channelBinding.data;
  const c = Buffer.concat([Buffer.from(first.gs2Header, 'utf8'), cbData]).toString('base64');
  const withoutProof = `c=${c},r=${server.nonce}`;
  const authMessage = `${first.clientFirstBare},${server.message},${withoutProof}`;
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha256').update(clientKey).digest();
  const signature = hmac(storedKey, authMessage);
  const proof = Buffer.alloc(clientKey.length);
  for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] ?? 0) ^ (signature[i] ?? 0);
  const serverKey = hmac(salted, 'Server Key');
  return {
    message: `${withoutProof},p=${proof.toString('base64')}`,
    expectedServerSignature: hmac(serverKey, authMessage),
  };
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * Checks server-final-message. A wrong signature means the server never knew the password: the
 * gateway must drop the connection rather than trust what it says next.
 */
export function verifyScramServerFinal(message: string, expectedServerSignature: Buffer): void {
  const attrs = parseAttributes(message, 'server-final-message');
  const error = attrs.get('e');
  if (error !== undefined) {
    throw new TollgateError('TG_ERR_UPSTREAM', `upstream rejected SCRAM authentication: ${error}`, { context: { scramError: error } });
  }
  const v = attrs.get('v');
  if (v === undefined) throw protocolError('SCRAM server-final-message lacks v=');
  const got = Buffer.from(v, 'base64');
  if (got.length !== expectedServerSignature.length || !timingSafeEqual(got, expectedServerSignature)) {
    throw new TollgateError('TG_ERR_UPSTREAM', 'upstream SCRAM server signature is wrong: the server does not hold this password');
  }
}

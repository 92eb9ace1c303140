import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { TollgateError } from '../../core/errors.js';
import { writeCancelRequest } from './protocol/frontend-startup.js';
import { BackendDecoder, SSL_REQUEST, Writer, type DecodedBackendMessage, type TransactionStatus } from './protocol/index.js';
import type { UpstreamLogin } from './upstream-login.js';

export interface UpstreamTarget {
  readonly connection: string;
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly mode: 'disable' | 'require' | 'verify-full'; readonly caPath?: string | undefined; readonly certPath?: string | undefined; readonly keyPath?: string | undefined; readonly serverName?: string | undefined };
  readonly maxMessageSize: number;
  readonly connectTimeoutMs: number;
}

export interface LoginObserver {
  sent(kind: string, bytes: Buffer, secret: boolean): void;
  received(msg: DecodedBackendMessage): void;
}

export interface OpenUpstream {
  readonly socket: Socket;
  readonly decoder: BackendDecoder;
  readonly status: TransactionStatus;
}

const upstreamError = (t: UpstreamTarget, what: string, cause?: unknown) =>
  new TollgateError('TG_ERR_UPSTREAM', `upstream of connection "${t.connection}" (${t.host}:${t.port}) ${what}`, { cause, context: { connection: t.connection } });

/** Opens a TCP connection (and TLS, as configured) to the upstream server. */
async function connectSocket(t: UpstreamTarget): Promise<Socket> {
  const plain = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ host: t.host, port: t.port });
    s.setNoDelay(true);
    s.setTimeout(t.connectTimeoutMs, () => s.destroy(upstreamError(t, `did not answer within ${t.connectTimeoutMs} ms`)));
    s.once('connect', () => {
      s.setTimeout(0);
      resolve(s);
    });
    s.once('error', (err) => reject(upstreamError(t, `is unreachable: ${err.message}`, err)));
  });
  if (t.tls.mode === 'disable') return plain;
  const answer = await new Promise<number>((resolve, reject) => {
    plain.once('data', (b: Buffer) => (b.length === 1 ? resolve(b[0] ?? 0) : reject(upstreamError(t, 'answered SSLRequest with more than one byte'))));
    plain.once('error', reject);
    plain.write(SSL_REQUEST);
  });
  if (answer !== 0x53) {
    plain.destroy();
    throw upstreamError(t, `refused TLS, which upstream.tls.mode ${t.tls.mode} requires`);
  }
  const options: ConnectionOptions = {
    socket: plain,
    rejectUnauthorized: t.tls.mode === 'verify-full',
    // `host` is what the certificate is checked against (an IP SAN for an address); SNI only for names.
    host: t.tls.serverName ?? t.host,
    servername: t.tls.serverName ?? (isIP(t.host) === 0 ? t.host : undefined),
    ...(t.tls.caPath === undefined ? {} : { ca: readFileSync(t.tls.caPath) }),
    ...(t.tls.certPath === undefined ? {} : { cert: readFileSync(t.tls.certPath) }),
    ...(t.tls.keyPath === undefined ? {} : { key: readFileSync(t.tls.keyPath) }),
  };
  return new Promise<Socket>((resolve, reject) => {
    const s = tlsConnect(options, () => resolve(s));
    s.once('error', (err: Error) => reject(upstreamError(t, `TLS handshake failed: ${err.message}`, err)));
  });
}

/** Connects and logs in with the gateway-held credentials; resolves at the first ReadyForQuery. */
export async function openUpstream(t: UpstreamTarget, startupPacket: Buffer, login: UpstreamLogin, observe: LoginObserver): Promise<OpenUpstream> {
  const socket = await connectSocket(t);
  const decoder = new BackendDecoder({ maxMessageSize: t.maxMessageSize });
  try {
    const status = await new Promise<TransactionStatus>((resolve, reject) => {
      const fail = (err: unknown) => {
        cleanup();
        reject(err instanceof TollgateError ? err : upstreamError(t, `failed during login: ${err instanceof Error ? err.message : String(err)}`, err));
      };
      const onData = (chunk: Buffer) => {
        try {
          decoder.push(chunk);
          for (let msg = decoder.next(); msg !== undefined; msg = decoder.next()) {
            observe.received(msg);
            const step = login.onMessage(msg);
            if (step.kind === 'send') {
              observe.sent('AuthenticationResponse', step.bytes, true);
              socket.write(step.bytes);
            } else if (step.kind === 'ready') {
              cleanup();
              return resolve(step.status);
            }
          }
        } catch (err) {
          fail(err);
        }
      };
      const onClose = () => fail(upstreamError(t, 'closed the connection during login'));
      const timer = setTimeout(() => fail(upstreamError(t, `did not finish login within ${t.connectTimeoutMs} ms`)), t.connectTimeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', fail);
        socket.off('close', onClose);
      };
      socket.on('data', onData);
      socket.once('error', fail);
      socket.once('close', onClose);
      observe.sent('StartupMessage', startupPacket, false);
      socket.write(startupPacket);
    });
    socket.pause();
    return { socket, decoder, status };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** Sends a CancelRequest for an upstream backend on a connection of its own, as libpq does. */
export function sendUpstreamCancel(t: UpstreamTarget, processId: number, secretKey: Buffer): void {
  const packet = writeCancelRequest(new Writer(16), processId, secretKey).finish();
  connectSocket(t).then(
    (s) => {
      s.end(packet);
      s.on('error', () => undefined);
      s.setTimeout(5000, () => s.destroy());
    },
    () => undefined,
  );
}

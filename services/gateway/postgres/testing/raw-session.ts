import { connect, type Socket } from 'node:net';
import { writeStartupMessage } from '../protocol/frontend-startup.js';
import { BackendDecoder, encodeFrontendMessage, Writer, type DecodedBackendMessage, type EncodableFrontendMessage } from '../protocol/index.js';

/** A hand-driven protocol session through the gateway, for what no client library sends (pipelines, FunctionCall). */
export class RawSession {
  private readonly decoder = new BackendDecoder();
  private readonly inbox: DecodedBackendMessage[] = [];
  private waiter: (() => void) | undefined;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.decoder.push(c);
      for (let m = this.decoder.next(); m !== undefined; m = this.decoder.next()) this.inbox.push(m);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  /** Connects, logs in with the token and waits for the first ReadyForQuery. */
  static async login(port: number, connection: string, token: string): Promise<RawSession> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    const session = new RawSession(socket);
    const params = new Map([['user', 'raw'], ['database', connection]]);
    socket.write(writeStartupMessage(new Writer(64), { majorVersion: 3, minorVersion: 0, parameters: params }).finish());
    await session.until((m) => m.kind === 'AuthenticationCleartextPassword');
    session.send([{ kind: 'PasswordMessage', password: token }]);
    await session.until((m) => m.kind === 'ReadyForQuery');
    return session;
  }

  send(messages: readonly EncodableFrontendMessage[]): void {
    this.socket.write(Buffer.concat(messages.map((m) => encodeFrontendMessage(m))));
  }

  /** Messages received up to and including the first that satisfies pred (or until the socket closes). */
  async until(pred: (m: DecodedBackendMessage) => boolean, timeoutMs = 10_000): Promise<DecodedBackendMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.inbox.findIndex(pred);
      if (at >= 0) return this.inbox.splice(0, at + 1);
      if (this.closed) return this.inbox.splice(0);
      if (Date.now() > deadline) throw new Error(`timed out; received ${this.inbox.map((m) => m.kind).join(',')}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  /** Messages up to the n-th ReadyForQuery. */
  async readyFor(n = 1): Promise<DecodedBackendMessage[]> {
    const out: DecodedBackendMessage[] = [];
    for (let i = 0; i < n; i++) out.push(...(await this.until((m) => m.kind === 'ReadyForQuery')));
    return out;
  }

  close(): void {
    this.socket.end(encodeFrontendMessage({ kind: 'Terminate' }));
  }
}

/** Kinds of messages, and for errors their SQLSTATE, for compact assertions. */
export function summary(messages: readonly DecodedBackendMessage[]): string[] {
  return messages.map((m) => (m.kind === 'ErrorResponse' ? `Error:${m.fields.get('C') ?? ''}` : m.kind === 'ReadyForQuery' ? `Ready:${m.status}` : m.kind));
}

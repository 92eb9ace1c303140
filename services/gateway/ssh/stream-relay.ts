import type ssh2 from 'ssh2';
import { refusalText, type ChannelContext } from './channel-context.js';
import { FlowGate } from './flow.js';

/** Hooks a relay calls on the client's input; the default forwards everything unchanged. */
export interface InputFilter {
  /** Returns false to stop forwarding (the filter has ended the channel). */
  input(chunk: Buffer, forward: (b: Buffer) => void, toClient: (data: string | Buffer) => void): boolean;
  end(forward: (b: Buffer) => void, toClient: (data: string | Buffer) => void): boolean;
  output?(chunk: Buffer): void;
}

/**
 * Relays one session channel between client and host: data both ways (recorded, with flow
 * control), stderr, EOF, exit status or signal, and close. An optional filter sees the input
 * first (shell line judging, sftp request judging).
 */
export function relayChannel(ctx: ChannelContext, id: number, client: ssh2.ServerChannel, up: ssh2.ClientChannel, filter?: InputFilter): void {
  const fromClient = new FlowGate(client, ctx.sink);
  const fromUp = new FlowGate(up, ctx.sink);
  const fromUpErr = new FlowGate(up.stderr, ctx.sink);
  let closed = false;
  const close = (reason?: string) => {
    if (closed) return;
    closed = true;
    untrack();
    if (reason !== undefined) {
      const text = refusalText(reason);
      ctx.rec.notice(id, text);
      client.stderr.write(text);
    }
    client.end();
    up.end();
  };
  const untrack = ctx.track(close);
  const forward = (b: Buffer) => {
    if (b.length > 0) fromClient.write(up, b);
  };
  const toClient = (data: string | Buffer) => {
    ctx.rec.notice(id, data);
    client.write(data);
  };
  client.on('data', (chunk: Buffer) => {
    if (!ctx.open) return;
    ctx.touch();
    ctx.rec.data('CLIENT_TO_GATEWAY', id, chunk);
    if (filter === undefined) forward(chunk);
    else if (!filter.input(chunk, forward, toClient)) {
      client.exit(126);
      close();
    }
  });
  client.on('end', () => {
    if (filter !== undefined && ctx.open && !filter.end(forward, toClient)) {
      client.exit(126);
      return close();
    }
    up.end();
  });
  up.on('data', (chunk: Buffer) => {
    if (!ctx.open) return;
    ctx.touch();
    ctx.rec.data('UPSTREAM_TO_GATEWAY', id, chunk);
    filter?.output?.(chunk);
    fromUp.write(client, chunk);
  });
  up.stderr.on('data', (chunk: Buffer) => {
    if (!ctx.open) return;
    ctx.rec.data('UPSTREAM_TO_GATEWAY', id, chunk, true);
    fromUpErr.write(client.stderr, chunk);
  });
  up.on('exit', (code: number | null, signal?: string, dumped?: boolean, desc?: string) => {
    if (ctx.open) ctx.rec.json('ssh.exit', 'exit', id, code !== null ? { status: code } : { signal: signal ?? '', coreDumped: dumped === true, message: desc ?? '' }, 'UPSTREAM_TO_GATEWAY');
    if (code !== null) client.exit(code);
    else client.exit(signal ?? 'KILL', dumped === true, desc ?? '');
  });
  up.on('close', () => {
    if (!closed && ctx.open) ctx.rec.json('ssh.channel.close', 'close', id, { by: 'upstream' }, 'UPSTREAM_TO_GATEWAY');
    close();
  });
  client.on('close', () => {
    if (!closed && ctx.open) ctx.rec.json('ssh.channel.close', 'close', id, { by: 'client' });
    close();
  });
  up.on('error', () => close());
  client.on('error', () => close());
}

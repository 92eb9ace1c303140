import type ssh2 from 'ssh2';
import { refusalText, type ChannelContext } from './channel-context.js';
import { FlowGate } from './flow.js';

/** Hooks a relay calls on the client's input; the default forwards everything unchanged. */
export interface InputFilter {
  /** Returns true to go on, or the reason input is refused from here on (shown on stderr; exit status 126). */
  input(chunk: Buffer, seq: number, forward: (b: Buffer) => void, toClient: (data: string | Buffer) => void): true | string;
  end(forward: (b: Buffer) => void, toClient: (data: string | Buffer) => void): true | string;
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
  // A refused input ends the client's input only: what was already allowed still runs and its
  // output still arrives; the exit status then says the rest was refused.
  let refused = false;
  const refuse = (reason: string) => {
    refused = true;
    const text = refusalText(reason);
    ctx.rec.notice(id, text);
    client.stderr.write(text);
    up.end();
  };
  client.on('data', (chunk: Buffer) => {
    if (!ctx.open || refused) return;
    ctx.touch();
    const seq = ctx.rec.data('CLIENT_TO_GATEWAY', id, chunk);
    if (filter === undefined) return forward(chunk);
    const verdict = filter.input(chunk, seq, forward, toClient);
    if (verdict !== true) refuse(verdict);
  });
  client.on('end', () => {
    if (refused) return;
    const verdict = filter === undefined || !ctx.open ? true : filter.end(forward, toClient);
    if (verdict !== true) return refuse(verdict);
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
    if (ctx.open) {
      if (code !== null) ctx.rec.json('ssh.exit', 'exit-status', id, { status: code }, 'UPSTREAM_TO_GATEWAY');
      else ctx.rec.json('ssh.exit', 'exit-signal', id, { signal: signal ?? '', coreDumped: dumped === true, message: desc ?? '' }, 'UPSTREAM_TO_GATEWAY');
    }
    if (refused) client.exit(126);
    else if (code !== null) client.exit(code);
    else client.exit(signal ?? 'KILL', dumped === true, desc ?? '');
  });
  up.on('close', () => {
    if (!closed && ctx.open) ctx.rec.empty('ssh.channel.close', 'close', id, 'UPSTREAM_TO_GATEWAY');
    close();
  });
  client.on('close', () => {
    if (!closed && ctx.open) ctx.rec.empty('ssh.channel.close', 'close', id, 'CLIENT_TO_GATEWAY');
    close();
  });
  up.on('error', () => close());
  client.on('error', () => close());
}

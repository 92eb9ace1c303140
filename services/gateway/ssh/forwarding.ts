import type ssh2 from 'ssh2';
import type { ChannelContext } from './channel-context.js';
import { forwardAllowed } from './guardrails/compile.js';
import { relayChannel } from './stream-relay.js';

/**
 * Port forwarding, refused unless a profile of the grant names the target. Local forwarding
 * (`ssh -L`, direct-tcpip) opens the same channel from the gateway's upstream connection; remote
 * forwarding (`ssh -R`, tcpip-forward) asks the host to listen and relays each connection it
 * reports back to the client. Every request, decision and byte is recorded on its channel.
 */
export class Forwarding {
  private readonly remote = new Set<string>();

  constructor(private readonly ctx: ChannelContext, private readonly conn: ssh2.Connection, private readonly nextId: () => number) {
    ctx.up.on('tcp connection', (details, accept, reject) => this.onHostConnection(details, accept, reject));
  }

  /** `ssh -L`: a client channel to host:port as seen from the target. */
  direct(accept: () => ssh2.ServerChannel, reject: () => void, info: ssh2.TcpipRequestInfo): void {
    const id = this.nextId();
    const { ctx } = this;
    const seq = ctx.rec.json('ssh.channel.open', 'direct-tcpip', id, { host: info.destIP, port: info.destPort, originHost: info.srcIP, originPort: info.srcPort });
    const target = `${info.destIP}:${info.destPort}`;
    if (!forwardAllowed(ctx.rules.localForwards, info.destIP, info.destPort)) {
      ctx.rec.decision('ssh.forward', 'BLOCK', id, { rule: 'local-forwarding', subject: target, refSeq: seq, reason: `forwarding to ${target} is not granted` });
      return reject();
    }
    ctx.up.forwardOut(info.srcIP, info.srcPort, info.destIP, info.destPort, (err, up) => {
      if (err !== undefined && err !== null) {
        ctx.rec.decision('ssh.forward', 'BLOCK', id, { rule: 'upstream', subject: target, refSeq: seq, reason: `the target could not open ${target}: ${err.message}` });
        return reject();
      }
      ctx.rec.decision('ssh.forward', 'ALLOW', id, { rule: 'local-forwarding', subject: target, refSeq: seq });
      relayChannel(ctx, id, accept(), up);
    });
  }

  /** `ssh -R`: tcpip-forward and cancel-tcpip-forward global requests. */
  request(accept: ((port?: number) => void) | undefined, reject: (() => void) | undefined, name: string, info: ssh2.TcpipBindInfo): void {
    const { ctx } = this;
    const target = `${info.bindAddr}:${info.bindPort}`;
    const seq = ctx.rec.json('ssh.forward', name, null, { host: info.bindAddr, port: info.bindPort });
    if (name === 'cancel-tcpip-forward') {
      this.remote.delete(target);
      ctx.up.unforwardIn(info.bindAddr, info.bindPort, () => accept?.());
      return;
    }
    if (name !== 'tcpip-forward' || !forwardAllowed(ctx.rules.remoteForwards, info.bindAddr, info.bindPort)) {
      ctx.rec.decision('ssh.forward', 'BLOCK', null, { rule: 'remote-forwarding', subject: target, refSeq: seq, reason: name === 'tcpip-forward' ? `remote forwarding of ${target} is not granted` : `${name} is not supported` });
      return reject?.();
    }
    ctx.up.forwardIn(info.bindAddr, info.bindPort, (err, port) => {
      if (err !== undefined && err !== null) {
        ctx.rec.decision('ssh.forward', 'BLOCK', null, { rule: 'upstream', subject: target, refSeq: seq, reason: `the target refused to listen on ${target}: ${err.message}` });
        return reject?.();
      }
      this.remote.add(`${info.bindAddr}:${port}`);
      ctx.rec.decision('ssh.forward', 'ALLOW', null, { rule: 'remote-forwarding', subject: target, refSeq: seq });
      accept?.(port);
    });
  }

  private onHostConnection(details: ssh2.TcpConnectionDetails, accept: () => ssh2.ClientChannel, reject: () => void): void {
    const { ctx } = this;
    const bound = `${details.destIP}:${details.destPort}`;
    if (!this.remote.has(bound) || !ctx.open) return reject();
    const id = this.nextId();
    ctx.rec.json('ssh.channel.open', 'forwarded-tcpip', id, { host: details.destIP, port: details.destPort, originHost: details.srcIP, originPort: details.srcPort }, 'UPSTREAM_TO_GATEWAY');
    this.conn.forwardOut(details.destIP, details.destPort, details.srcIP, details.srcPort, (err, client) => {
      if (err !== undefined && err !== null) return reject();
      relayChannel(ctx, id, client, accept());
    });
  }
}

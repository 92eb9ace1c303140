import type { ChannelContext } from '../channel-context.js';
import type { SftpMode } from '../guardrails/compile.js';
import type { InputFilter } from '../stream-relay.js';
import { SftpDecoder } from './sftp-packets.js';
import { SftpPolicy, type SftpOperation } from './sftp-policy.js';

/** Largest sftp packet accepted in either direction (OpenSSH uses 256 KiB). */
const MAX_SFTP_PACKET = 1024 * 1024;

/**
 * The sftp channel's filter: client requests are decoded and judged one packet at a time
 * (refused ones are answered with PERMISSION_DENIED and never reach the host); host replies are
 * followed to count bytes per file. Each file operation becomes an ssh.sftp Decision frame.
 */
export function sftpFilter(ctx: ChannelContext, id: number, mode: SftpMode): InputFilter {
  const policy = new SftpPolicy(mode);
  const requests = new SftpDecoder(Math.min(MAX_SFTP_PACKET, ctx.maxMessageSize));
  const replies = new SftpDecoder(Math.min(MAX_SFTP_PACKET, ctx.maxMessageSize));
  let broken = false;
  const record = (op: SftpOperation) => {
    const details: Record<string, string> = { op: op.op, bytesRead: String(op.bytesRead), bytesWritten: String(op.bytesWritten) };
    if (op.path2 !== undefined) details['path2'] = op.path2;
    ctx.rec.decision('ssh.sftp', op.allowed ? 'ALLOW' : 'BLOCK', id, { rule: `sftp-${mode}`, subject: op.path, reason: op.reason ?? '', details });
  };
  return {
    input(chunk, _seq, forward, toClient) {
      let packets;
      try {
        packets = requests.push(chunk);
      } catch (err) {
        ctx.rec.decision('ssh.sftp', 'BLOCK', id, { rule: 'sftp-protocol', reason: (err as Error).message });
        return `sftp stream refused: ${(err as Error).message}`;
      }
      for (const p of packets) {
        const v = policy.onRequest(p);
        if (v.record !== undefined) record(v.record);
        if (v.forward) forward(p.raw);
        else toClient(v.reply);
      }
      return true;
    },
    end: () => true,
    output(chunk) {
      if (broken) return;
      try {
        for (const p of replies.push(chunk)) {
          const op = policy.onReply(p);
          if (op !== undefined) record(op);
        }
      } catch (err) {
        // Replies are only observed; a malformed one stops the byte counts, not the transfer.
        broken = true;
        ctx.rec.decision('ssh.sftp', 'OBSERVE', id, { rule: 'sftp-protocol', reason: `host reply not understood: ${(err as Error).message}` });
      }
    },
  };
}

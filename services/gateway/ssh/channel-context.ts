import type ssh2 from 'ssh2';
import type { Logger } from '../../core/logger.js';
import type { RecordingSink } from '../../core/recording/sink.js';
import type { SshRules } from './guardrails/compile.js';
import type { SshRecording } from './ssh-recording.js';

/** What a channel handler needs from its connection. */
export interface ChannelContext {
  readonly rules: SshRules;
  readonly rec: SshRecording;
  readonly up: ssh2.Client;
  readonly sink: RecordingSink;
  readonly logger: Logger;
  readonly maxMessageSize: number;
  /** Marks traffic, for the idle timeout. */
  touch(): void;
  /** False once the connection is ending: nothing more may be recorded or opened. */
  readonly open: boolean;
  /** Registers a channel pair so the connection can close it (with a notice) when the session ends; returns the unregister function. */
  track(close: (reason?: string) => void): () => void;
}

/** The message a refused request shows the user. */
export function refusalText(reason: string): string {
  return `tollgate: ${reason}\r\n`;
}

/** Accepts a session request only to explain a refusal on stderr and exit with `status`. */
export function refuseWithMessage(ctx: ChannelContext, id: number, accept: () => ssh2.ServerChannel | undefined, reason: string, status = 126): void {
  const ch = accept();
  if (ch === undefined) return;
  const text = refusalText(reason);
  ch.stderr.write(text);
  ctx.rec.notice(id, text);
  ch.exit(status);
  ch.end();
}

import type ssh2 from 'ssh2';
import { refuseWithMessage, type ChannelContext } from './channel-context.js';
import { stdinScriptOf } from './commands/command-parse.js';
import { judgeCommandLine } from './commands/judge.js';
import { ShellGuard } from './commands/shell-guard.js';
import { sftpFilter } from './sftp/sftp-filter.js';
import { relayChannel, type InputFilter } from './stream-relay.js';

type Accept = (() => void) | undefined;
type Reject = (() => void) | undefined;

/**
 * One client `session` channel: collects pty and env requests, decides shell/exec/subsystem
 * against the grant's rules, opens the matching upstream channel and relays it. Agent and X11
 * forwarding are always refused. Every request and decision is recorded.
 */
export function handleSession(ctx: ChannelContext, id: number, session: ssh2.Session): void {
  let pty: ssh2.PseudoTtyInfo | undefined;
  const env: Record<string, string> = {};
  let upstream: ssh2.ClientChannel | undefined;
  const { rec, rules } = ctx;

  session.on('pty', (accept: Accept, _reject: Reject, info: ssh2.PseudoTtyInfo) => {
    pty = info;
    rec.json('ssh.pty', 'pty-req', id, { cols: info.cols, rows: info.rows, term: info.term, width: info.width, height: info.height });
    accept?.();
  });
  session.on('env', (accept: Accept, reject: Reject, info: ssh2.SetEnvInfo) => {
    const seq = rec.text('ssh.env', 'env', id, `${info.key}=${info.val}`);
    if (rules.envAllowed(info.key)) {
      env[info.key] = info.val;
      rec.decision('ssh.env', 'ALLOW', id, { rule: 'env-allowlist', subject: info.key, refSeq: seq });
      accept?.();
    } else {
      rec.decision('ssh.env', 'BLOCK', id, { rule: 'env-allowlist', subject: info.key, refSeq: seq, reason: `environment variable ${info.key} is not on the allowlist` });
      reject?.();
    }
  });
  session.on('x11', (_accept: Accept, reject: Reject) => {
    rec.decision('ssh.forward', 'BLOCK', id, { rule: 'x11', reason: 'X11 forwarding is never allowed through tollgate' });
    reject?.();
  });
  session.on('auth-agent', (_accept: Accept, reject: Reject) => {
    rec.decision('ssh.forward', 'BLOCK', id, { rule: 'agent-forwarding', reason: 'agent forwarding is never allowed through tollgate' });
    reject?.();
  });
  session.on('window-change', (accept: Accept, _reject: Reject, info: ssh2.WindowChangeInfo) => {
    rec.json('ssh.resize', 'window-change', id, { cols: info.cols, rows: info.rows, width: info.width, height: info.height });
    upstream?.setWindow(info.rows, info.cols, info.height, info.width);
    accept?.();
  });
  session.on('signal', (accept: Accept, _reject: Reject, info: ssh2.SignalInfo) => {
    rec.json('ssh.signal', 'signal', id, { signal: info.name });
    upstream?.signal(info.name);
    accept?.();
  });

  const ptyOptions = (): ssh2.PseudoTtyOptions | false =>
    pty === undefined ? false : { rows: pty.rows, cols: pty.cols, width: pty.width, height: pty.height, term: pty.term, modes: pty.modes };

  // Accept at once: OpenSSH sends EOF right after exec without waiting, and ssh2 drops an EOF that
  // arrives before the channel exists. Input waits in the paused stream until the relay starts.
  const open = (accept: () => ssh2.ServerChannel | undefined, kind: string, start: (cb: (err: Error | undefined, ch: ssh2.ClientChannel) => void) => void, filter?: InputFilter) => {
    const client = accept();
    if (client === undefined) return;
    start((err, ch) => {
      if (err !== undefined || !ctx.open) {
        ch?.close();
        refuseWithMessage(ctx, id, () => client, `the target refused the ${kind} request${err === undefined ? '' : `: ${err.message}`}`, 1);
        return;
      }
      upstream = ch;
      relayChannel(ctx, id, client, ch, filter);
    });
  };

  session.on('shell', (accept: () => ssh2.ServerChannel, _reject: Reject) => {
    const seq = rec.text('ssh.shell', 'shell', id, '');
    if (!rules.shell) {
      rec.decision('policy.block', 'BLOCK', id, { rule: 'shell-not-allowed', reason: 'interactive shells are not allowed by this grant', refSeq: seq });
      return refuseWithMessage(ctx, id, accept, 'interactive shells are not allowed by this grant; run a command instead (ssh <connection>@gateway <command>)');
    }
    rec.decision('policy.allow', 'ALLOW', id, { rule: 'shell', refSeq: seq });
    const guard = new ShellGuard(rules, pty === undefined ? 'lines' : 'pty', ctx.maxMessageSize);
    open(accept, 'shell', (cb) => ctx.up.shell(ptyOptions(), { env }, (e, ch) => cb(e ?? undefined, ch)), shellFilter(ctx, id, guard));
  });

  session.on('exec', (accept: () => ssh2.ServerChannel, _reject: Reject, info: ssh2.ExecInfo) => {
    const seq = rec.text('ssh.exec', 'exec', id, info.command);
    const verdict = rules.exec ? judgeCommandLine(info.command, rules) : { allowed: false as const, rule: 'exec-not-allowed', reason: 'remote commands are not allowed by this grant', command: '' };
    if (!verdict.allowed) {
      rec.decision('policy.block', 'BLOCK', id, { rule: verdict.rule, reason: verdict.reason, subject: info.command, refSeq: seq });
      return refuseWithMessage(ctx, id, accept, `command refused (${verdict.rule}): ${verdict.reason}`);
    }
    // A shell reading its program from this channel (`ssh host bash < script`) is judged line by line
    // like any shell; another interpreter reading it (`ssh host python3 < x`) cannot be judged at all.
    const script = rules.guarded ? stdinScriptOf(info.command) : undefined;
    if (script === 'interpreter' && rules.opaque === 'deny') {
      const reason = 'the command reads a program from its input, which the gateway cannot judge; run a script file instead';
      rec.decision('policy.block', 'BLOCK', id, { rule: 'opaque-command', reason, subject: info.command, refSeq: seq });
      return refuseWithMessage(ctx, id, accept, `command refused (opaque-command): ${reason}`);
    }
    rec.decision('policy.allow', 'ALLOW', id, { rule: rules.guarded ? 'commands' : 'unguarded', subject: info.command, refSeq: seq });
    const pt = ptyOptions();
    const filter = script === 'shell' ? shellFilter(ctx, id, new ShellGuard(rules, pt === false ? 'lines' : 'pty', ctx.maxMessageSize)) : undefined;
    open(accept, 'exec', (cb) => ctx.up.exec(info.command, pt === false ? { env } : { env, pty: pt }, (e, ch) => cb(e ?? undefined, ch)), filter);
  });

  session.on('subsystem', (accept: () => ssh2.ServerChannel, _reject: Reject, info: ssh2.SubsystemInfo) => {
    const seq = rec.text('ssh.sftp', 'subsystem', id, info.name);
    if (info.name !== 'sftp' || rules.sftp === 'deny') {
      const reason = info.name !== 'sftp' ? `the "${info.name.slice(0, 64)}" subsystem is not allowed (only sftp can be granted)` : 'sftp is not allowed by this grant';
      rec.decision('policy.block', 'BLOCK', id, { rule: 'subsystem', subject: info.name, reason, refSeq: seq });
      return refuseWithMessage(ctx, id, accept, reason, 1);
    }
    rec.decision('policy.allow', 'ALLOW', id, { rule: `sftp-${rules.sftp}`, subject: info.name, refSeq: seq });
    open(accept, 'sftp', (cb) => ctx.up.subsys('sftp', (e, ch) => cb(e ?? undefined, ch)), sftpFilter(ctx, id, rules.sftp));
  });
}

function shellFilter(ctx: ChannelContext, id: number, guard: ShellGuard): InputFilter {
  const apply = (out: ReturnType<ShellGuard['input']>, seq: number | null, forward: (b: Buffer) => void, toClient: (t: string | Buffer) => void): true | string => {
    for (const d of out.decisions) {
      ctx.rec.decision(d.allowed ? 'policy.allow' : 'policy.block', d.allowed ? 'ALLOW' : 'BLOCK', id, {
        rule: d.rule, reason: d.reason, subject: d.line, refSeq: seq, details: { source: 'shell-line', known: String(d.known) },
      });
    }
    for (const b of out.upstream) forward(b);
    for (const t of out.client) toClient(t);
    return out.terminate ?? true;
  };
  return {
    input: (chunk, seq, forward, toClient) => apply(guard.input(chunk), seq, forward, toClient),
    end: (forward, toClient) => apply(guard.end(), null, forward, toClient),
    output: (chunk) => guard.output(chunk),
  };
}

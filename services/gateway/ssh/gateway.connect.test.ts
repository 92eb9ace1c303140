import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../core/events/types.js';
import { opensshOptions, runOpenssh, ssh2Connect, ssh2Exec } from './testing/clients.js';
import { startSshHarness, type SshHarness } from './testing/harness.js';
import { openShell } from './testing/shell.js';
import { sshdAvailable } from './testing/sshd.js';

const HAVE_SSHD = sshdAvailable();
if (!HAVE_SSHD) console.warn('skipping SSH gateway suites: /usr/sbin/sshd (Debian openssh-server) is not installed');

let h: SshHarness;
beforeAll(async () => {
  if (HAVE_SSHD) h = await startSshHarness({ roles: { ops: { connections: ['web', 'bad-pin', 'db', 'relaxed'] }, nobody: { connections: ['relaxed'] } } });
});
afterAll(async () => {
  await h?.close();
});

const wireText = (f: Frame) => (f.body.kind === 'Wire' ? f.body.payload.toString('utf8') : '');
const wireJson = (f: Frame) => JSON.parse(wireText(f)) as Record<string, unknown>;
const ssh = (token: string, target: string, ...cmd: string[]) => runOpenssh(h, token, [...opensshOptions(h.port), `${target}@127.0.0.1`, ...cmd]);

describe.skipIf(!HAVE_SSHD)('SSH gateway: logging in and running commands', () => {
  it('OpenSSH runs a command with the token as password; output and exit status come back', async () => {
    const token = await h.token('alice', ['ops']);
    const r = await ssh(token, 'web', 'echo hello-$((6*7)); id -un; exit 3');
    expect(r.stdout).toBe(`hello-42\n${h.sshd.user}\n`);
    expect(r.code).toBe(3);
    const frames = await h.framesUntil((all) => all.some((f) => f.eventType === 'session.end' && all.some((e) => e.sessionId === f.sessionId && e.eventType === 'ssh.exec' && wireText(e).includes('hello-'))));
    expect(JSON.stringify(frames.map((f) => (f.body.kind === 'Wire' ? f.body.payload.toString('base64') : f.body)))).not.toContain(token);
    const exec = frames.find((f) => f.eventType === 'ssh.exec' && wireText(f).includes('hello-'));
    expect(exec).toBeDefined();
    const session = frames.filter((f) => f.sessionId === exec!.sessionId);
    expect(session[0]!.eventType).toBe('session.start');
    expect(session.at(-1)!.eventType).toBe('session.end');
    expect(session.map((f) => f.seq)).toEqual(session.map((_, i) => i));
    expect(session.find((f) => f.eventType === 'ssh.exit')).toSatisfy((f: Frame) => wireJson(f)['status'] === 3);
    expect(session.filter((f) => f.eventType === 'ssh.data' && f.direction === 'UPSTREAM_TO_GATEWAY').map(wireText).join('')).toContain('hello-42');
  });

  it('relays stdin, stdout and stderr through an ssh2 client', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    try {
      const r = await ssh2Exec(c, 'cat; echo err >&2', {}, 'line one\nline two\n');
      expect(r).toEqual({ code: 0, stdout: 'line one\nline two\n', stderr: 'err\n' });
    } finally {
      c.end();
    }
  });

  it('serves several channels on one connection, each recorded on its own channel number', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    try {
      const [a, b] = await Promise.all([ssh2Exec(c, 'echo chan-a'), ssh2Exec(c, 'echo chan-b')]);
      expect(a.stdout + b.stdout).toBe('chan-a\nchan-b\n');
    } finally {
      c.end();
    }
    const frames = await h.frames();
    const execs = frames.filter((f) => f.eventType === 'ssh.exec' && /^echo chan-/.test(wireText(f)));
    expect(new Set(execs.map((f) => f.channel)).size).toBe(2);
    for (const e of execs) {
      const out = frames.filter((f) => f.sessionId === e.sessionId && f.channel === e.channel && f.eventType === 'ssh.data').map(wireText).join('');
      expect(out).toBe(`${wireText(e).slice(5)}\n`);
    }
  });

  it('logs in with keyboard-interactive too', async () => {
    const token = await h.token('alice', ['ops']);
    const c = new ssh2.Client();
    c.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => token)));
    await new Promise<void>((resolve, reject) => {
      c.once('ready', resolve).once('error', reject);
      c.connect({ host: '127.0.0.1', port: h.port, username: 'web', tryKeyboard: true, authHandler: ['keyboard-interactive'] });
    });
    try {
      expect((await ssh2Exec(c, 'echo kbd')).stdout).toBe('kbd\n');
    } finally {
      c.end();
    }
  });

  it('records a pty shell: size, resizes, input, output and exit', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    const sh = await openShell(c, { cols: 100, rows: 30, term: 'xterm-256color' });
    sh.type('echo shell-$((40+2))\r');
    await sh.waitFor(/shell-42/);
    sh.channel.setWindow(40, 120, 0, 0);
    sh.type('stty size\r');
    await sh.waitFor(/40 120/);
    sh.type('exit 0\r');
    await sh.closed;
    c.end();
    const frames = await h.frames();
    const pty = frames.findLast((f) => f.eventType === 'ssh.pty')!;
    expect(JSON.parse(wireText(pty))).toMatchObject({ cols: 100, rows: 30, term: 'xterm-256color' });
    const session = frames.filter((f) => f.sessionId === pty.sessionId);
    expect(session.some((f) => f.eventType === 'ssh.resize' && wireJson(f)['cols'] === 120)).toBe(true);
    expect(session.filter((f) => f.eventType === 'ssh.data' && f.direction === 'CLIENT_TO_GATEWAY').map(wireText).join('')).toContain('echo shell-$((40+2))\r');
    expect(session.filter((f) => f.eventType === 'ssh.data' && f.direction === 'UPSTREAM_TO_GATEWAY').map(wireText).join('')).toContain('shell-42');
    expect(session.some((f) => f.eventType === 'policy.allow' && f.body.kind === 'Decision' && f.body.subject === 'echo shell-$((40+2))')).toBe(true);
    expect(session.some((f) => f.eventType === 'ssh.exit')).toBe(true);
  });

  it('drives a shell with `ssh -tt`', async () => {
    const r = await runOpenssh(h, await h.token('alice', ['ops']), [...opensshOptions(h.port), '-tt', 'web@127.0.0.1'], 'echo tty-$((2+2)); tty\nexit\n');
    expect(r.stdout).toContain('tty-4');
    expect(r.stdout).toMatch(/\/dev\/pts\//);
  });

  it('passes allowed environment variables and refuses loader variables', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    try {
      const r = await ssh2Exec(c, 'echo "[$LANG][$LD_PRELOAD][$TOLLGATE_TEST_X]"', { env: { LANG: 'C.UTF-8', LD_PRELOAD: '/tmp/evil.so', TOLLGATE_TEST_X: 'y' } });
      expect(r.stdout).toBe('[C.UTF-8][][]\n');
    } finally {
      c.end();
    }
    const blocks = (await h.frames()).filter((f) => f.eventType === 'ssh.env' && f.body.kind === 'Decision' && f.body.action === 'BLOCK');
    expect(blocks.map((f) => (f.body.kind === 'Decision' ? f.body.subject : ''))).toEqual(expect.arrayContaining(['LD_PRELOAD', 'TOLLGATE_TEST_X']));
  });
});

describe.skipIf(!HAVE_SSHD)('SSH gateway: refusals say why', () => {
  it('a bad token is refused with a banner that does not echo it', async () => {
    const bad = 'eyJhbGciOiJFUzI1NiJ9.not-a-real-token.sig';
    const r = await ssh(bad, 'web', 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/tollgate: identity token rejected/);
    expect(r.stderr).not.toContain('not-a-real-token');
    const fails = (await h.frames()).filter((f) => f.eventType === 'auth.fail');
    expect(fails.length).toBeGreaterThan(0);
    expect(JSON.stringify(fails.map((f) => f.body))).not.toContain('not-a-real-token');
  });

  it('unknown, non-SSH and ungranted connections are refused by name', async () => {
    const token = await h.token('alice', ['ops']);
    expect((await ssh(token, 'nope', 'true')).stderr).toMatch(/no connection named "nope"/);
    expect((await ssh(token, 'db', 'true')).stderr).toMatch(/"db" is a postgres connection/);
    const other = await h.token('bob', ['nobody']);
    expect((await ssh(other, 'web', 'true')).stderr).toMatch(/access to "web" denied/);
  });

  it('a target whose host key does not match the pin is refused before any credential is offered', async () => {
    const r = await ssh(await h.token('alice', ['ops']), 'bad-pin', 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/host key of 127\.0\.0\.1:\d+ is SHA256:\S+, not the pinned SHA256:AAAA/);
  });

  it('a subsystem other than sftp is refused', async () => {
    const r = await ssh(await h.token('alice', ['ops']), 'web', '-s', 'netconf');
    expect(r.stderr).toMatch(/"netconf" subsystem is not allowed/);
    expect(r.code).not.toBe(0);
  });

  it('agent and X11 forwarding requests are refused and recorded', async () => {
    const agent = await ssh2Connect(h, 'web', await h.token('alice', ['ops']), { agent: '/nonexistent/agent.sock', agentForward: true });
    try {
      await expect(ssh2Exec(agent, 'echo "[$SSH_AUTH_SOCK]"')).rejects.toThrow(/agent forwarding/);
    } finally {
      agent.end();
    }
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    try {
      await expect(ssh2Exec(c, 'echo "[$DISPLAY]"', { x11: true })).rejects.toThrow(/X11/);
      expect((await ssh2Exec(c, 'echo "[$SSH_AUTH_SOCK][$DISPLAY]"')).stdout).toBe('[][]\n');
    } finally {
      c.end();
    }
    const rules = (await h.frames()).filter((f) => f.eventType === 'ssh.forward' && f.body.kind === 'Decision' && f.body.action === 'BLOCK').map((f) => (f.body.kind === 'Decision' ? f.body.rule : ''));
    expect(rules).toEqual(expect.arrayContaining(['x11', 'agent-forwarding']));
  });

  it('the real OpenSSH client with -X or -Y is refused X11 but its session still runs', async () => {
    const token = await h.token('alice', ['ops']);
    for (const flag of ['-X', '-Y']) {
      const r = await runOpenssh(h, token, [...opensshOptions(h.port), flag, 'web@127.0.0.1', `echo "x11-probe${flag}[$DISPLAY]"`]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`x11-probe${flag}[]\n`);
      expect(r.stderr).toMatch(/X11 forwarding request failed/);
    }
    const frames = await h.framesUntil((all) => all.filter((f) => f.eventType === 'ssh.exec' && wireText(f).includes('x11-probe')).length === 2);
    for (const exec of frames.filter((f) => f.eventType === 'ssh.exec' && wireText(f).includes('x11-probe'))) {
      const blocked = frames.filter((f) => f.sessionId === exec.sessionId && f.eventType === 'ssh.forward' && f.body.kind === 'Decision' && f.body.action === 'BLOCK');
      expect(blocked.map((f) => (f.body.kind === 'Decision' ? f.body.rule : ''))).toContain('x11');
    }
  });
});

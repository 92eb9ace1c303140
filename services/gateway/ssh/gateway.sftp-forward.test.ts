import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import type ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../core/events/types.js';
import { opensshOptions, runOpenssh, ssh2Connect } from './testing/clients.js';
import { startSshHarness, type SshHarness } from './testing/harness.js';
import { sshdAvailable } from './testing/sshd.js';

const HAVE_SSHD = sshdAvailable();
let h: SshHarness;
let echo: Server;
let echoPort: number;

beforeAll(async () => {
  if (!HAVE_SSHD) return;
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
  h = await startSshHarness({
    roles: {
      ops: { connections: ['web'] },
      reader: { connections: ['web'], guardrails: ['ssh-readonly-commands'] },
      nosftp: { connections: ['web'], guardrails: ['ssh-no-sftp'] },
      tunnel: { connections: ['web'], guardrails: ['tunnels'] },
    },
    guardrails: { tunnels: { protocol: 'ssh', forwarding: { local: [`127.0.0.1:${echoPort}`], remote: ['127.0.0.1:*'] } } },
  });
});
afterAll(async () => {
  await h?.close();
  echo?.close();
});

const sftpOf = (c: ssh2.Client) => new Promise<ssh2.SFTPWrapper>((resolve, reject) => c.sftp((err, s) => (err ? reject(err) : resolve(s))));
const decisions = (frames: Frame[], type: string) => frames.filter((f) => f.eventType === type && f.body.kind === 'Decision').map((f) => f.body as Extract<Frame['body'], { kind: 'Decision' }>);

describe.skipIf(!HAVE_SSHD)('SSH gateway: sftp', () => {
  it('transfers files both ways and records each file with its byte count', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    const sftp = await sftpOf(c);
    const remote = join(h.sshd.dir, 'upload.bin');
    const data = Buffer.alloc(100_000, 7);
    await new Promise<void>((res, rej) => sftp.writeFile(remote, data, (e) => (e ? rej(e) : res())));
    const back = await new Promise<Buffer>((res, rej) => sftp.readFile(remote, (e, b) => (e ? rej(e) : res(b))));
    c.end();
    expect(back.equals(data)).toBe(true);
    expect(readFileSync(remote).equals(data)).toBe(true);
    const closes = decisions(await h.frames(), 'ssh.sftp').filter((d) => d.details['op'] === 'close' && d.subject === remote);
    expect(closes.map((d) => [d.details['bytesWritten'], d.details['bytesRead']])).toEqual([['100000', '0'], ['0', '100000']]);
  });

  it('read-only grants read but refuse writes with a permission error that names tollgate', async () => {
    const file = join(h.sshd.dir, 'readme.txt');
    writeFileSync(file, 'hello');
    const c = await ssh2Connect(h, 'web', await h.token('rita', ['reader']));
    const sftp = await sftpOf(c);
    const got = await new Promise<Buffer>((res, rej) => sftp.readFile(file, (e, b) => (e ? rej(e) : res(b))));
    expect(got.toString()).toBe('hello');
    const err = await new Promise<Error | undefined>((res) => sftp.writeFile(join(h.sshd.dir, 'nope.txt'), 'x', (e) => res(e ?? undefined)));
    const rm = await new Promise<Error | undefined>((res) => sftp.unlink(file, (e) => res(e ?? undefined)));
    c.end();
    expect(err?.message).toMatch(/tollgate: open is refused: this grant allows sftp reads only/);
    expect(rm?.message).toMatch(/tollgate: remove is refused/);
    expect(existsSync(join(h.sshd.dir, 'nope.txt'))).toBe(false);
    expect(existsSync(file)).toBe(true);
    expect(decisions(await h.frames(), 'ssh.sftp').some((d) => d.action === 'BLOCK' && d.subject === file && d.details['op'] === 'remove')).toBe(true);
  });

  it('the OpenSSH sftp client works through the gateway', async () => {
    const local = join(h.dir, 'put.txt');
    writeFileSync(local, 'via openssh sftp\n');
    const remote = join(h.sshd.dir, 'put-remote.txt');
    const r = await runOpenssh(h, await h.token('alice', ['ops']), [...opensshOptions(h.port).map((o) => (o === '-p' ? '-P' : o)), 'web@127.0.0.1'], `put ${local} ${remote}\nls ${h.sshd.dir}\n`, 'sftp');
    expect(r.code).toBe(0);
    expect(readFileSync(remote, 'utf8')).toBe('via openssh sftp\n');
  });

  it('a grant without sftp refuses the subsystem', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('nina', ['nosftp']));
    await expect(sftpOf(c)).rejects.toThrow();
    c.end();
    expect(decisions(await h.frames(), 'policy.block').some((d) => d.rule === 'subsystem' && /sftp is not allowed/.test(d.reason))).toBe(true);
  });
});

describe.skipIf(!HAVE_SSHD)('SSH gateway: port forwarding', () => {
  const forwardOut = (c: ssh2.Client, port: number) => new Promise<ssh2.ClientChannel>((res, rej) => c.forwardOut('127.0.0.1', 5000, '127.0.0.1', port, (e, ch) => (e ? rej(e) : res(ch))));

  it('local forwarding to a granted host:port relays and is recorded', async () => {
    const c = await ssh2Connect(h, 'web', await h.token('tom', ['tunnel']));
    const ch = await forwardOut(c, echoPort);
    const reply = new Promise<string>((res) => ch.once('data', (b: Buffer) => res(b.toString())));
    ch.write('ping through tollgate');
    expect(await reply).toBe('ping through tollgate');
    ch.end();
    c.end();
    const frames = await h.frames();
    expect(decisions(frames, 'ssh.forward').some((d) => d.action === 'ALLOW' && d.subject === `127.0.0.1:${echoPort}`)).toBe(true);
    expect(frames.some((f) => f.eventType === 'ssh.data' && f.body.kind === 'Wire' && f.body.payload.toString() === 'ping through tollgate')).toBe(true);
  });

  it('local forwarding is refused without a grant and to other ports', async () => {
    const plain = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    await expect(forwardOut(plain, echoPort)).rejects.toThrow();
    plain.end();
    const tunnel = await ssh2Connect(h, 'web', await h.token('tom', ['tunnel']));
    await expect(forwardOut(tunnel, h.sshd.port)).rejects.toThrow();
    tunnel.end();
    expect(decisions(await h.frames(), 'ssh.forward').filter((d) => d.action === 'BLOCK' && d.rule === 'local-forwarding').length).toBeGreaterThanOrEqual(2);
  });

  it('OpenSSH -L to a refused target fails the forwarded connection', async () => {
    const r = await runOpenssh(h, await h.token('alice', ['ops']), [...opensshOptions(h.port), '-o', 'ExitOnForwardFailure=yes', '-W', `127.0.0.1:${echoPort}`, 'web@127.0.0.1'], 'x');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
  });

  it('remote forwarding is refused unless granted, and relays when granted', async () => {
    const plain = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    await expect(new Promise((res, rej) => plain.forwardIn('127.0.0.1', 0, (e, p) => (e ? rej(e) : res(p))))).rejects.toThrow();
    plain.end();
    const c = await ssh2Connect(h, 'web', await h.token('tom', ['tunnel']));
    c.on('tcp connection', (_info, accept) => {
      const ch = accept();
      ch.on('data', (b: Buffer) => ch.write(Buffer.from(b.toString().toUpperCase())));
    });
    const port = await new Promise<number>((res, rej) => c.forwardIn('127.0.0.1', 0, (e, p) => (e ? rej(e) : res(p))));
    const reply = await new Promise<string>((res, rej) => {
      const s = connect(port, '127.0.0.1', () => s.write('reverse'));
      s.once('data', (b) => { res(b.toString()); s.destroy(); });
      s.once('error', rej);
    });
    c.end();
    expect(reply).toBe('REVERSE');
    expect(decisions(await h.frames(), 'ssh.forward').some((d) => d.action === 'ALLOW' && d.rule === 'remote-forwarding')).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opensshOptions, runOpenssh, ssh2Connect, ssh2Exec } from './testing/clients.js';
import { startSshHarness, type SshHarness } from './testing/harness.js';
import { canManageUsers, ensurePasswordUser, PASSWORD_TEST_USER } from './testing/local-user.js';
import { sshdAvailable, startSshd, type Sshd } from './testing/sshd.js';

// The gateway logs in to the target with a password it holds (`upstream.password: { env: NAME }`)
// instead of a key: a second sshd that accepts passwords, and a dedicated local account.
const HAVE_SSHD = sshdAvailable();
const CAN_USERS = canManageUsers();
if (HAVE_SSHD && !CAN_USERS) console.warn('skipping SSH upstream password suite: creating a local test account needs root with useradd and chpasswd');

let h: SshHarness;
let pwSshd: Sshd;
let password: string;
beforeAll(async () => {
  if (!HAVE_SSHD || !CAN_USERS) return;
  password = ensurePasswordUser();
  pwSshd = await startSshd({ extra: ['PasswordAuthentication yes', 'PubkeyAuthentication no', `AllowUsers ${PASSWORD_TEST_USER}`] });
  const conn = (env: string) => ({ protocol: 'ssh', host: '127.0.0.1', port: pwSshd.port, hostKey: pwSshd.fingerprint, upstream: { user: PASSWORD_TEST_USER, password: { env } } });
  h = await startSshHarness({
    connections: () => ({ 'pw-web': conn('TG_TEST_SSH_PASSWORD'), 'pw-wrong': conn('TG_TEST_SSH_WRONG_PASSWORD') }),
    env: { TG_TEST_SSH_PASSWORD: password, TG_TEST_SSH_WRONG_PASSWORD: `${password}-wrong` },
  });
});
afterAll(async () => {
  await h?.close();
  await pwSshd?.stop();
});

describe.skipIf(!HAVE_SSHD || !CAN_USERS)('SSH gateway: upstream login with a gateway-held password', () => {
  it('OpenSSH runs a command on the target as the password account', async () => {
    const token = await h.token('alice', ['ops']);
    const r = await runOpenssh(h, token, [...opensshOptions(h.port), 'pw-web@127.0.0.1', 'id -un; echo pw-$((6*7)); exit 4']);
    expect(r.stdout).toBe(`${PASSWORD_TEST_USER}\npw-42\n`);
    expect(r.code).toBe(4);
  });

  it('relays stdin and stderr through an ssh2 client too', async () => {
    const c = await ssh2Connect(h, 'pw-web', await h.token('alice', ['ops']));
    try {
      expect(await ssh2Exec(c, 'cat; echo err >&2', {}, 'through\n')).toEqual({ code: 0, stdout: 'through\n', stderr: 'err\n' });
    } finally {
      c.end();
    }
  });

  it('a wrong gateway-held password is refused with a tollgate banner that does not leak it', async () => {
    const token = await h.token('alice', ['ops']);
    const r = await runOpenssh(h, token, [...opensshOptions(h.port), 'pw-wrong@127.0.0.1', 'echo should-not-run']);
    expect(r.code).toBe(255);
    expect(r.stdout).not.toContain('should-not-run');
    expect(r.stderr).toMatch(new RegExp(`tollgate: connection "pw-wrong": 127\\.0\\.0\\.1:\\d+ refused the gateway's credentials for user "${PASSWORD_TEST_USER}"`));
    expect(r.stderr).not.toContain(password);
    const frames = await h.framesUntil((all) => all.some((f) => f.eventType === 'auth.fail'));
    expect(frames.some((f) => f.eventType === 'auth.fail')).toBe(true);
    // Earlier tests' sessions are in the same log: nothing of this command may be anywhere.
    expect(frames.some((f) => f.eventType === 'ssh.exec' && f.body.kind === 'Wire' && f.body.payload.includes('should-not-run'))).toBe(false);
    const recorded = JSON.stringify(frames.map((f) => (f.body.kind === 'Wire' ? f.body.payload.toString('utf8') : f.body)));
    expect(recorded).not.toContain(password);
  });

  it('the connection works again with the right password after a refusal (no sticky state)', async () => {
    const c = await ssh2Connect(h, 'pw-web', await h.token('bob', ['ops']));
    try {
      expect((await ssh2Exec(c, 'echo again')).stdout).toBe('again\n');
    } finally {
      c.end();
    }
  });
});

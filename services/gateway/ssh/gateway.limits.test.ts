import { afterEach, describe, expect, it } from 'vitest';
import { ssh2Connect } from './testing/clients.js';
import { startSshHarness, type SshHarness } from './testing/harness.js';
import { openShell } from './testing/shell.js';
import { sshdAvailable } from './testing/sshd.js';

const HAVE_SSHD = sshdAvailable();
let h: SshHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.skipIf(!HAVE_SSHD)('SSH gateway: session limits', () => {
  it('ends a session when its token expires (grace 0), telling the user why', async () => {
    h = await startSshHarness({ limits: { tokenExpiryGrace: 0 } });
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops'], 2000));
    const sh = await openShell(c);
    sh.type('echo before-expiry\r');
    await sh.waitFor(/before-expiry/);
    await sh.waitFor(/identity token expired/, 6000);
    await sh.closed;
    c.end();
    const end = (await h.framesUntil((f) => f.some((x) => x.eventType === 'session.end'))).find((f) => f.eventType === 'session.end');
    expect(end?.body.kind === 'SessionEnd' ? end.body.reason : '').toMatch(/token expired/);
  });

  it('ends an idle session', async () => {
    // Long enough that login and the shell's start (slow on a loaded machine) are not idle time.
    h = await startSshHarness({ limits: { idleTimeout: '2s' } });
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    const gone = new Promise<void>((r) => c.on('close', () => r()));
    const sh = await openShell(c);
    await sh.waitFor(/idle for longer than 2 s/, 10_000);
    await gone;
  });

  it('strict recording: refuses new sessions and ends running ones when the log goes down', async () => {
    h = await startSshHarness({ sinkMaxPendingBytes: 1 << 20 });
    const c = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    const sh = await openShell(c);
    await sh.waitFor(/[#$] $/);
    h.log.up = false;
    sh.type('echo while-down\r');
    await sh.waitFor(/recording is unavailable/, 5000);
    await sh.closed;
    c.end();
    await expect(ssh2Connect(h, 'web', await h.token('alice', ['ops']))).rejects.toThrow(/authentication/i);
    h.log.up = true;
  });

  it('refuses connections beyond maxSessions', async () => {
    h = await startSshHarness({ limits: { maxSessions: 1 } });
    const first = await ssh2Connect(h, 'web', await h.token('alice', ['ops']));
    await expect(ssh2Connect(h, 'web', await h.token('alice', ['ops']))).rejects.toThrow();
    first.end();
  });
});

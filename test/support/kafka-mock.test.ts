import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findKcat, kafkaMockSkipReason, startKafkaMock } from './kafka-mock.js';

const dir = mkdtempSync(join(tmpdir(), 'tg-fake-kcat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in kcat: a shell script that misbehaves in one particular way. */
function fakeKcat(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('kafka mock helper', () => {
  it('reports a missing kcat with an actionable message, and an explicit path is never swapped', () => {
    const found = findKcat(join(dir, 'no-such-kcat'));
    expect('missing' in found && found.missing).toMatch(/kcat not found.*apt-get install kcat/);
  });

  it('skips only outside CI: under CI a missing kcat must fail the suite, not skip it', () => {
    const kcat = join(dir, 'absent');
    expect(kafkaMockSkipReason({ KCAT: kcat })).toMatch(/kcat not found/);
    expect(kafkaMockSkipReason({ KCAT: kcat, CI: 'true' })).toBeUndefined();
  });

  it('fails with kcat\'s own words when it exits before serving', async () => {
    const kcat = fakeKcat('exits', 'echo "%3|FAIL| no such option" >&2; exit 3');
    await expect(startKafkaMock({ kcat, startTimeoutMs: 2_000 })).rejects.toThrow(/did not start.*no such option/s);
  });

  it('fails after startTimeoutMs when kcat never names its brokers', async () => {
    const kcat = fakeKcat('silent', 'exec sleep 30');
    await expect(startKafkaMock({ kcat, startTimeoutMs: 200 })).rejects.toThrow(/no bootstrap.servers line within 200 ms/);
  });

  it('fails when the announced broker does not accept connections', async () => {
    const kcat = fakeKcat('liar', 'echo "%5|MOCK| replaced with 127.0.0.1:1,127.0.0.1:2" >&2; exec sleep 30');
    await expect(startKafkaMock({ kcat, startTimeoutMs: 300 })).rejects.toThrow(/127\.0\.0\.1:1 not reachable/);
  });

  it('reads a broker list that reaches stderr in two chunks as a whole', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const kcat = fakeKcat('split', `printf '%%5|MOCK| replaced with 127.0.0.1:${port}' >&2; sleep 0.3; ` +
      `printf ',127.0.0.1:${port}\\n' >&2; exec sleep 30`);
    try {
      const mock = await startKafkaMock({ kcat, startTimeoutMs: 5_000 });
      expect(mock.brokers).toEqual([`127.0.0.1:${port}`, `127.0.0.1:${port}`]);
      await mock.stop();
    } finally {
      server.close();
    }
  });

  it.skipIf(kafkaMockSkipReason() !== undefined)('starts the real mock with the requested broker count', async () => {
    const mock = await startKafkaMock({ brokers: 2 });
    try {
      expect(mock.brokers).toHaveLength(2);
      expect(mock.brokers.every((b) => /^127\.0\.0\.1:\d+$/.test(b))).toBe(true);
    } finally {
      await mock.stop();
      await mock.stop();
    }
  });
});

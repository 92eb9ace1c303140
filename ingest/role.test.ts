import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomIds, systemClock } from '../services/core/clock.js';
import { parseConfig } from '../services/core/config/index.js';
import { openEmbeddedLog } from '../services/core/log/embedded/index.js';
import { Topics } from '../services/core/log/port.js';
import { createLogger } from '../services/core/logger.js';
import type { NodeDeps } from '../services/runtime/node.js';
import { startIngest } from './role.js';
import { FixtureRecorder } from './testing/fixtures.js';
import { openTestStore, type Harness } from './testing/harness.js';

let h: Harness;
let server: Server;
const bodies: string[] = [];

beforeAll(async () => {
  h = await openTestStore('role');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await h.close();
});

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('the ingest role consumes frames from the log, writes the tables and sends alerts to the webhook', async () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const config = parseConfig({ dataDir: h.dir, ingest: { rulesDir: join(h.dir, 'rules'), webhooks: [{ name: 'soc', url, minSeverity: 'high', maxAttempts: 1 }] } }, {});
  const log = await openEmbeddedLog({ dir: join(h.dir, 'log'), partitions: 2, fsync: 'never' });
  const rec = await FixtureRecorder.create(Date.now() - 60_000);
  const deps = { config, logger: createLogger({ level: 'silent', pretty: false }), clock: systemClock, ids: randomIds, log, codec: rec.codec, store: h.store } as unknown as NodeDeps;
  const [role] = await startIngest(deps);
  try {
    expect(role!.describe()[0]).toMatch(/ingest: \d+ rules/);
    const s = rec.start('role-1', 'SSH', { connection: 'build-host' });
    s.sshExec(0, 'cat /etc/shadow', 'root:$6$abc:19000:0:99999:7:::\n', 0);
    s.end();
    await log.append(Topics.frames, rec.records);
    const cmd = await until(async () => (await h.store.query<{ command: string }>("SELECT command FROM commands FINAL WHERE session_id = 'role-1'"))[0], 'the command row');
    expect(cmd.command).toBe('cat /etc/shadow');
    await until(() => Promise.resolve(bodies.length > 0 ? true : undefined), 'the webhook');
    expect(JSON.parse(bodies[0]!)).toMatchObject({ ruleId: 'tg.ssh.credential-files', sessionId: 'role-1' });
    const [s1] = await h.store.query<{ alerts: string; outcome: string }>("SELECT alerts, outcome FROM sessions FINAL WHERE session_id = 'role-1'");
    expect(s1).toMatchObject({ outcome: 'closed' });
    expect(Number(s1!.alerts)).toBeGreaterThan(0);
  } finally {
    await role!.stop();
    await log.close();
  }
});

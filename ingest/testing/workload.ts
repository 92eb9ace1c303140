import type { FixtureRecorder } from './fixtures.js';

/**
 * A mixed workload recorded like the gateways record it: PostgreSQL sessions (simple and extended
 * queries, results with personal data, errors, blocks), SSH sessions (exec, shell) and Kubernetes
 * sessions. `rowsPerQuery` sets the DataRow share, the bulk of real recordings.
 */
export function recordWorkload(rec: FixtureRecorder, sessions: number, o: { prefix?: string; queriesPerSession?: number; rowsPerQuery?: number; end?: boolean } = {}): void {
  const prefix = o.prefix ?? 'w';
  const queries = o.queriesPerSession ?? 4;
  const rowsPer = o.rowsPerQuery ?? 5;
  for (let i = 0; i < sessions; i++) {
    const id = `${prefix}-${String(i).padStart(6, '0')}`;
    const subject = `user${i % 7}@example.com`;
    const address = `192.0.2.${(i % 5) + 1}`;
    // One token per session (a login), so the one-token-many-addresses rule stays quiet as in real
    // traffic: the 7 subjects connect from 5 addresses in turn.
    const jti = `${id}-token`;
    if (i % 3 === 0) {
      const s = rec.start(id, 'SSH', { subject, jti, connection: i % 2 === 0 ? 'prod-host' : 'build-host', clientAddress: address });
      s.sshExec(0, i % 9 === 0 ? 'cat /etc/shadow' : 'uptime', ' 10:00:00 up 1 day\n', 0);
      s.sshShell(1);
      s.print(1, '$ ');
      s.type(1, 'ls /srv\r');
      s.print(1, 'app data\r\n$ ');
      if (o.end !== false) s.end();
    } else if (i % 3 === 1) {
      const s = rec.start(id, 'POSTGRES', { subject, jti, connection: i % 2 === 0 ? 'prod-db' : 'staging-db', clientAddress: address });
      for (let q = 0; q < queries; q++) {
        const rows = Array.from({ length: rowsPer }, (_, r) => [String(r), `customer${r}@example.org`, `note ${r}`]);
        if (q % 4 === 3) s.extended('SELECT id, email, note FROM customers WHERE id > $1', [String(q)], { columns: ['id', 'email', 'note'], rows });
        else s.query(`SELECT id, email, note FROM customers WHERE region = 'r${q}'`, { columns: ['id', 'email', 'note'], rows });
      }
      if (i % 4 === 1) s.query('SELECT rolpassword FROM pg_authid', { block: 'no-catalog-secrets' });
      if (i % 5 === 2) s.query('SELECT * FROM nope', { error: 'relation "nope" does not exist' });
      if (o.end !== false) s.end();
    } else {
      const s = rec.start(id, 'KUBERNETES', { subject, jti, connection: 'staging-k8s', clientAddress: address });
      s.k8s(1, 'GET', '/api/v1/namespaces/default/pods', 200, '{"items":[]}');
      s.k8s(2, 'GET', '/api/v1/namespaces/default/secrets', 200, '{"kind":"SecretList","items":[{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}]}');
      if (o.end !== false) s.end();
    }
  }
}

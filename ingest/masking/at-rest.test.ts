import { beforeAll, describe, expect, it } from 'vitest';
import { EventCodec } from '../../services/core/events/codec.js';
import type { StoredFrame } from '../model/stored-frame.js';
import { decodeFrames } from '../pipeline/decode.js';
import { FixtureRecorder, type ScriptedSession } from '../testing/fixtures.js';
import { TEST_PROFILES } from '../testing/harness.js';
import { MemoryRegistry } from '../testing/memory-registry.js';
import { maskBatch, newMaskState, type SessionMaskState } from './at-rest.js';
import { MaskingPlans } from './profiles.js';
import { WITHHELD_PAYLOAD } from './postgres.js';

/** One sample per detector, and the part of it that must not survive masking. */
const SAMPLES: Array<[string, string, string]> = [
  ['email', 'jane.doe@example.com', 'jane.doe@example.com'],
  ['card', '4111 1111 1111 1111', '4111 1111 1111'],
  ['ssn', '123-45-6789', '123-45-6789'],
  ['nino', 'AB 12 34 56 C', 'AB 12 34 56 C'],
  ['iban', 'GB82 WEST 1234 5698 7654 32', 'WEST 1234 5698'],
  ['phone', '+44 20 7946 0958', '7946 0958'],
  ['aws-key-id', 'AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
  ['aws-secret', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG'],
  ['github-token', 'ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ', 'ghp_abcdefghijklmnop'],
  ['gitlab-token', 'glpat-abcdefghijklmnopqrst', 'glpat-abcdefghijklmnopqrst'],
  ['npm-token', 'npm_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ', 'npm_abcdefghijklmnop'],
  ['slack-token', 'xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx', 'xoxb-123456789012'],
  ['stripe-key', 'sk_live_abcdefghijklmnopqrstuvwx', 'sk_live_abcdefghijkl'],
  ['google-api-key', 'AIzaSyA1234567890abcdefghijklmnopqrstuv', 'AIzaSyA1234567890'],
  ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'dozjgNryP4J3jVmNHl0w5N'],
  ['pem-private-key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq98hRzWhz\n-----END RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA7bq98hRzWhz'],
  ['bearer', 'Authorization: Bearer abcdef1234567890abcdef', 'abcdef1234567890abcdef'],
  ['url-password', 'postgres://app:s3cretPassw0rd@db.internal/app', 's3cretPassw0rd'],
  ['secret-kv', 'password=hunter2hunter2', 'hunter2hunter2'],
];

/** Each payload kind ingest masks, recording the sample the way a gateway would. */
const KINDS: Array<[string, (s: ScriptedSession, sample: string) => void]> = [
  ['SQL literal in a Query', (s, v) => s.query(`INSERT INTO notes (body) VALUES ('${v.replace(/'/g, "''")}')`, { tag: 'INSERT 0 1' })],
  ['Bind parameter', (s, v) => s.extended('INSERT INTO notes (body) VALUES ($1)', [v], { tag: 'INSERT 0 1' })],
  ['DataRow value', (s, v) => s.query('SELECT body FROM notes', { columns: ['body'], rows: [[`note: ${v}`]] })],
  ['ErrorResponse message', (s, v) => s.query('SELECT 1', { error: `duplicate key value (body)=(${v})` })],
  ['terminal output', (s, v) => { s.sshShell(1); s.print(1, `x ${v} y\r\n`); }],
  ['terminal output split across frames', (s, v) => { s.sshShell(1); const cut = Math.floor(v.length / 2); s.print(1, `x ${v.slice(0, cut)}`, `${v.slice(cut)} y\r\n`); }],
  ['terminal input', (s, v) => { s.sshShell(1); s.type(1, `echo '${v}'\r`); }],
  ['ssh exec command line', (s, v) => s.sshExec(0, `echo '${v}'`)],
  ['Kubernetes request body', (s, v) => s.k8s(1, 'POST', '/api/v1/namespaces/x/configmaps', 201, '{}', JSON.stringify({ data: { note: v } }))],
  ['Kubernetes response body', (s, v) => s.k8s(1, 'GET', '/api/v1/namespaces/x/configmaps/c', 200, JSON.stringify({ data: { note: v } }))],
];

let codec: EventCodec;
const plans = new MaskingPlans({ profiles: TEST_PROFILES, byConnection: { 'hr-db': 'hr' } });

beforeAll(async () => {
  codec = await EventCodec.create(new MemoryRegistry());
});

async function recordAndMask(script: (rec: FixtureRecorder) => void): Promise<StoredFrame[]> {
  const rec = await FixtureRecorder.create(Date.now(), codec);
  script(rec);
  const { frames } = decodeFrames(codec, rec.records.map((r, i) => ({ topic: 't', partition: 0, offset: i, key: r.key, value: r.value, timestampMs: 0 })), 0);
  const states = new Map<string, SessionMaskState>();
  maskBatch(frames, (f) => {
    let s = states.get(f.sessionId);
    if (s === undefined) states.set(f.sessionId, (s = newMaskState(plans.fallback())));
    if (f.eventType === 'session.start') s.plan = plans.planFor('hr-db', []);
    return s;
  });
  return frames;
}

const text = (frames: readonly StoredFrame[]): string => frames.map((f) => f.payload.toString('utf8')).join('\n');

describe('masking at rest: every detector in every payload kind', () => {
  for (const [kind, record] of KINDS) {
    it.each(SAMPLES)(`${kind}: %s`, async (_detector, sample, secret) => {
      const frames = await recordAndMask((rec) => record(rec.start('m', kind.startsWith('terminal') || kind.startsWith('ssh') ? 'SSH' : kind.startsWith('Kube') ? 'KUBERNETES' : 'POSTGRES', { connection: 'hr-db' }), sample));
      expect(text(frames)).not.toContain(secret);
    });
  }
});

describe('masking at rest: structure and fail-closed behaviour', () => {
  it('applies column rules by the RowDescription column name, and keeps the message decodable', async () => {
    const frames = await recordAndMask((rec) => rec.start('m', 'POSTGRES', { connection: 'hr-db' }).query('SELECT name, salary FROM staff', { columns: ['name', 'salary'], rows: [['Ann', '123456']] }));
    const row = frames.find((f) => f.messageType === 'DataRow')!;
    expect(row.payload.toString('latin1')).toContain('Ann');
    expect(row.payload.toString('latin1')).not.toContain('123456');
    expect(row.payload.readInt32BE(1)).toBe(row.payload.length - 1);
  });

  it('leaves frames the gateway masked inline as they are', async () => {
    const frames = await recordAndMask((rec) => rec.start('m', 'POSTGRES').query('SELECT e FROM t', { columns: ['e'], rows: [['already ****@****']], maskedInline: 'email' }));
    expect(frames.find((f) => f.messageType === 'DataRow')!.maskedInline).toBe(true);
  });

  it('withholds a PostgreSQL payload that does not decode (truncated, garbage)', async () => {
    const frames = await recordAndMask((rec) => {
      const s = rec.start('m', 'POSTGRES');
      s.wire('UPSTREAM_TO_GATEWAY', 'db.row', 'DataRow', Buffer.from('D\x00\x00\x00\x20\x00\x01jane.doe@example.com'));
      s.wire('CLIENT_TO_GATEWAY', 'db.query', 'Query', Buffer.from('Qxx'));
    });
    expect(frames.filter((f) => f.eventType === 'db.row' || f.eventType === 'db.query').map((f) => f.payload)).toEqual([WITHHELD_PAYLOAD, WITHHELD_PAYLOAD]);
  });

  it('withholds the line typed at a password prompt', async () => {
    const frames = await recordAndMask((rec) => {
      const s = rec.start('m', 'SSH');
      s.sshShell(1);
      s.print(1, '[sudo] password for alice: ');
      s.type(1, 'c', 'o', 'r', 'r', 'e', 'c', 't', '\r');
      s.print(1, '\r\n# ');
      s.type(1, 'id\r');
    });
    const input = frames.filter((f) => f.direction === 'CLIENT_TO_GATEWAY' && f.eventType === 'ssh.data').map((f) => f.payload.toString()).join('');
    expect(input).not.toContain('correct');
    expect(input).toContain('id\r');
  });

  it('keeps terminal bytes exactly when nothing is found (invalid UTF-8 included)', async () => {
    const raw = Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0xfe, 0x41]);
    const frames = await recordAndMask((rec) => {
      const s = rec.start('m', 'SSH');
      s.wire('UPSTREAM_TO_GATEWAY', 'ssh.data', 'data', raw, 1);
    });
    expect(frames.find((f) => f.eventType === 'ssh.data')!.payload).toEqual(raw);
  });

  it('masks Kubernetes Secret data in a response body and keeps the envelope JSON', async () => {
    const body = JSON.stringify({ kind: 'Secret', data: { password: Buffer.from('hunter2').toString('base64') } });
    const frames = await recordAndMask((rec) => rec.start('m', 'KUBERNETES').k8s(1, 'GET', '/api/v1/namespaces/x/secrets/s', 200, body));
    const res = frames.find((f) => f.eventType === 'k8s.response')!;
    const env = JSON.parse(res.payload.toString()) as { status: number; body: string };
    expect(env.status).toBe(200);
    expect(env.body).not.toContain(Buffer.from('hunter2').toString('base64'));
  });
});

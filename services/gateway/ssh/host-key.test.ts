import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Fingerprint, matchesPin } from './fingerprint.js';
import { generateParsableKey, loadOrCreateHostKey } from './host-key.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tollgate-hostkey-'));
  dirs.push(d);
  return d;
};

describe('loadOrCreateHostKey', () => {
  it('generates an ed25519 key with mode 0600 on first start and reuses it after', () => {
    const path = join(tmp(), 'sub', 'ssh_host_ed25519_key');
    const first = loadOrCreateHostKey(path);
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const parsed = ssh2.utils.parseKey(first.key);
    expect(parsed instanceof Error ? parsed.message : parsed.type).toBe('ssh-ed25519');
    const second = loadOrCreateHostKey(path);
    expect(second.created).toBe(false);
    expect(second.key.equals(readFileSync(path))).toBe(true);
  });

  it('tightens a key readable by others, and refuses a file that is not a key', () => {
    const dir = tmp();
    const path = join(dir, 'k');
    loadOrCreateHostKey(path);
    chmodSync(path, 0o644);
    loadOrCreateHostKey(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'garbage'), 'not a key', { mode: 0o600 });
    expect(() => loadOrCreateHostKey(join(dir, 'garbage'))).toThrow(/cannot be read/);
  });
});

describe('fingerprints', () => {
  it('match OpenSSH notation, with or without base64 padding', () => {
    const blob = Buffer.from('ssh-ed25519 key blob');
    const fp = sha256Fingerprint(blob);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(matchesPin(blob, fp)).toBe(true);
    expect(matchesPin(blob, `${fp}=`)).toBe(true);
    expect(matchesPin(Buffer.from('other'), fp)).toBe(false);
  });
});

describe('generateParsableKey', () => {
  // A real output of ssh2's generator whose 32-byte public key lost its leading zero byte (31 bytes):
  // no parser accepts it. ssh2 produces one about every 300 keys; it failed a CI run's demo start.
  const BROKEN = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMgAAAAtz\nc2gtZWQyNTUxOQAAAB99uZ9AcJLT6dwjVtY3b1lVq7oL3yi+w64TjTI0z6zXAAAA\noAkaDQMJGg0DAAAAC3NzaC1lZDI1NTE5AAAAH325n0BwktPp3CNW1jdvWVWrugvf\nKL7DrhONMjTPrNcAAAA/EZPxAqole31KFFlESvQ2ZPZW3Su3/tNxxm58DG8bpER9\nuZ9AcJLT6dwjVtY3b1lVq7oL3yi+w64TjTI0z6zXAAAAGXRvbGxnYXRlIGdhdGV3\nYXkgaG9zdCBrZXkBAgMEBQY=\n-----END OPENSSH PRIVATE KEY-----\n';

  it('skips a generated key that does not read back, and gives up after 32 attempts', () => {
    expect(ssh2.utils.parseKey(BROKEN)).toBeInstanceOf(Error);
    const good = generateParsableKey(); // itself a readable key, whatever the generator's luck
    const outputs = [{ private: BROKEN, public: '' }, { private: BROKEN, public: '' }, good];
    let calls = 0;
    expect(generateParsableKey(() => outputs[calls++]!)).toBe(good);
    expect(calls).toBe(3);
    expect(() => generateParsableKey(() => ({ private: BROKEN, public: '' }))).toThrow(/32 attempts/);
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Fingerprint, matchesPin } from './fingerprint.js';
import { loadOrCreateHostKey } from './host-key.js';

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

import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import ssh2 from 'ssh2';
import { TollgateError } from '../../core/errors.js';

/**
 * The gateway's own host key: read from hostKeyPath, or generated there (ed25519, OpenSSH format,
 * mode 0600) on first start. A key readable by group or others is tightened to 0600, since anyone
 * who reads it can impersonate the gateway to every client.
 */
export function loadOrCreateHostKey(path: string): { key: Buffer; created: boolean } {
  try {
    const key = readFileSync(path);
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(path, 0o600);
    const parsed = ssh2.utils.parseKey(key);
    if (parsed instanceof Error) throw new TollgateError('TG_ERR_CONFIG', `the SSH host key at ${path} cannot be read: ${parsed.message}`);
    return { key, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pair = generateParsableKey();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // 'wx': two processes starting at once must not overwrite each other's key.
    writeFileSync(path, pair.private, { mode: 0o600, flag: 'wx' });
    writeFileSync(`${path}.pub`, `${pair.public}\n`, { mode: 0o644 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateHostKey(path);
    throw new TollgateError('TG_ERR_CONFIG', `cannot write the SSH host key to ${path}`, { cause: err });
  }
  return { key: Buffer.from(pair.private), created: true };
}

/**
 * ssh2's generator drops a leading zero byte of the ed25519 public key (about 1 key in 300), and the
 * result is a key no parser accepts, ssh2's own server included: generate until the key reads back.
 */
export function generateParsableKey(generate: () => { private: string; public: string } = () => ssh2.utils.generateKeyPairSync('ed25519', { comment: 'tollgate gateway host key' })): { private: string; public: string } {
  for (let attempt = 0; attempt < 32; attempt++) {
    const pair = generate();
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new TollgateError('TG_ERR_INTERNAL', 'could not generate a readable ed25519 SSH host key in 32 attempts');
}

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
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'tollgate gateway host key' });
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

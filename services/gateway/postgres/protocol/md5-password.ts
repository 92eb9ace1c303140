import { createHash } from 'node:crypto';
import { protocolError } from './protocol-error.js';

function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * The PasswordMessage body for AuthenticationMD5Password: 'md5' + md5(md5(password + user) + salt).
 * The gateway logs into upstreams that still use md5 with this; it never asks clients for it.
 */
export function md5PasswordHash(user: string, password: string, salt: Uint8Array): string {
  if (salt.length !== 4) throw protocolError(`MD5 salt must be 4 bytes, got ${salt.length}`);
  const inner = md5Hex(password + user);
  return 'md5' + md5Hex(Buffer.concat([Buffer.from(inner, 'utf8'), salt]));
}

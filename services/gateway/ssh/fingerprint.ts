import { createHash } from 'node:crypto';

/** The OpenSSH SHA256 fingerprint ("SHA256:" + unpadded base64) of a public key blob, as `ssh-keygen -lf` prints it. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Compares a key against a pinned fingerprint (padding-insensitive). */
export function matchesPin(keyBlob: Buffer, pin: string): boolean {
  return sha256Fingerprint(keyBlob) === pin.replace(/=+$/, '');
}

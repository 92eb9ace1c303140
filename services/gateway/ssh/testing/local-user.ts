import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The dedicated account the upstream-password tests log in to (never a real person's account). */
export const PASSWORD_TEST_USER = 'tollgate-sshpw';

/** Can this process create accounts and set passwords (root with useradd and chpasswd)? */
export function canManageUsers(): boolean {
  // CI runs as root: there the password suite must run, never skip.
  if (process.env['CI'] !== undefined && process.getuid?.() !== 0) throw new Error('CI: the SSH upstream password suite needs root (useradd, chpasswd)');
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('sh', ['-c', 'command -v useradd && command -v chpasswd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure the local account exists (created with a home and a login shell if absent) and sets
 * a fresh random password, which it returns. Idempotent: an existing account only gets the new
 * password. A random password per run means a leftover account is never reachable with a
 * password written in the source, should the machine's own sshd accept passwords.
 */
export function ensurePasswordUser(name = PASSWORD_TEST_USER): string {
  if (!exists(name)) {
    try {
      execFileSync('useradd', ['-m', '-s', '/bin/sh', name], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      // Another suite may have created it in the meantime; anything else is a real failure.
      if (!exists(name)) throw err;
    }
  }
  const password = randomBytes(18).toString('base64url');
  execFileSync('chpasswd', [], { input: `${name}:${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  return password;
}

function exists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

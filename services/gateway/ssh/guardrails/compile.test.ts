import { describe, expect, it } from 'vitest';
import { compileSshRules, forwardAllowed } from './compile.js';
import { BUILTIN_SSH_PROFILES, SSH_PROFILE_NAMES } from './builtin-profiles.js';
import { sshProfileSchema } from './profile-schema.js';

describe('compileSshRules', () => {
  it('with no SSH profile: shells, commands and sftp allowed, no forwarding, env allowlist only', () => {
    const r = compileSshRules([], {});
    expect(r).toMatchObject({ guarded: false, shell: true, exec: true, sftp: 'allow', localForwards: [], remoteForwards: [] });
    expect(r.envAllowed('LANG')).toBe(true);
    expect(r.envAllowed('LC_ALL')).toBe(true);
    expect(r.envAllowed('TERM')).toBe(true);
    for (const bad of ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'BASH_ENV', 'PATH', 'ENV', 'PROMPT_COMMAND', 'PYTHONPATH', 'FOO']) expect(r.envAllowed(bad), bad).toBe(false);
  });

  it('combines profiles to the strictest of each field', () => {
    const r = compileSshRules(['ssh-no-destructive', 'ssh-readonly-commands', 'ssh-exec-only'], {});
    expect(r.sftp).toBe('read-only');
    expect(r.shell).toBe(false);
    expect(r.allowLists).toHaveLength(1);
    expect(r.opaque).toBe('deny');
    expect(r.unknownLines).toBe('deny');
    expect(r.profiles).toEqual(['ssh-exec-only', 'ssh-no-destructive', 'ssh-readonly-commands']);
  });

  it('compiles a custom profile and intersects forwarding lists', () => {
    const configured = {
      tunnels: { protocol: 'ssh', forwarding: { local: ['db.internal:5432', 'cache:6379'], remote: ['127.0.0.1:*'] }, env: ['APP_*', 'LD_PRELOAD'] },
      narrower: { protocol: 'ssh', forwarding: { local: ['db.internal:5432'] } },
    };
    const one = compileSshRules(['tunnels'], configured);
    expect(forwardAllowed(one.localForwards, 'db.internal', 5432)).toBe(true);
    expect(forwardAllowed(one.localForwards, 'DB.internal', 5432)).toBe(true);
    expect(forwardAllowed(one.localForwards, 'db.internal', 5433)).toBe(false);
    expect(forwardAllowed(one.remoteForwards, '127.0.0.1', 8080)).toBe(true);
    expect(one.envAllowed('APP_MODE')).toBe(true);
    expect(one.envAllowed('LD_PRELOAD')).toBe(false);
    const both = compileSshRules(['tunnels', 'narrower'], configured);
    expect(forwardAllowed(both.localForwards, 'cache', 6379)).toBe(false);
    expect(forwardAllowed(both.localForwards, 'db.internal', 5432)).toBe(true);
    expect(compileSshRules(['tunnels', 'ssh-no-forwarding'], configured).localForwards).toEqual([]);
  });

  it('skips profiles of other protocols and refuses unknown or invalid ones', () => {
    expect(compileSshRules(['read-only', 'pgwatch'], { pgwatch: { protocol: 'postgres' } }).guarded).toBe(false);
    expect(() => compileSshRules(['nope'], {})).toThrow(/not defined/);
    expect(() => compileSshRules(['bad'], { bad: { protocol: 'ssh', sftp: 'sometimes' } })).toThrow(/guardrails\.bad\.sftp/);
    expect(() => compileSshRules(['bad'], { bad: { protocol: 'ssh', commmands: {} } })).toThrow(/invalid/);
  });

  it('extends built-in profiles, and a configured profile named like a built-in only adds to it', () => {
    const r = compileSshRules(['mine'], { mine: { protocol: 'ssh', extends: ['ssh-no-destructive'], sftp: 'deny' } });
    expect(r.sftp).toBe('deny');
    expect(r.deny.length).toBeGreaterThan(10);
    expect(r.profiles).toEqual(['mine', 'ssh-no-destructive']);
    expect(() => compileSshRules(['mine'], { mine: { protocol: 'ssh', extends: ['nope'] } })).toThrow(/not a built-in SSH profile/);
    const shadow = compileSshRules(['ssh-readonly-commands'], { 'ssh-readonly-commands': { protocol: 'ssh', description: 'my own, emptier' } });
    expect(shadow.allowLists).toHaveLength(1);
    expect(shadow.sftp).toBe('read-only');
  });

  it('a guarded custom profile denies opaque commands unless it says otherwise', () => {
    expect(compileSshRules(['c'], { c: { protocol: 'ssh', commands: { deny: ['reboot'] } } }).opaque).toBe('deny');
    expect(compileSshRules(['c'], { c: { protocol: 'ssh', commands: { deny: ['reboot'] }, opaqueCommands: 'allow' } }).opaque).toBe('allow');
  });

  it('every built-in profile is valid in the custom profile format', () => {
    for (const name of SSH_PROFILE_NAMES) expect(sshProfileSchema.safeParse(BUILTIN_SSH_PROFILES[name]).success, name).toBe(true);
  });
});

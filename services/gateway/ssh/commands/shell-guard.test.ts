import { describe, expect, it } from 'vitest';
import { compileSshRules } from '../guardrails/compile.js';
import { ShellGuard } from './shell-guard.js';

const noDestructive = compileSshRules(['ssh-no-destructive'], {});
const readOnly = compileSshRules(['ssh-readonly-commands'], {});
const text = (bufs: Buffer[]) => Buffer.concat(bufs).toString();

describe('ShellGuard (pty)', () => {
  it('lets an allowed line through, Enter included', () => {
    const g = new ShellGuard(noDestructive, 'pty', 65536);
    const out = g.input(Buffer.from('ls -la\r'));
    expect(text(out.upstream)).toBe('ls -la\r');
    expect(out.decisions).toEqual([expect.objectContaining({ allowed: true, line: 'ls -la' })]);
  });

  it('cancels a refused line with Ctrl-C instead of Enter and tells the user', () => {
    const g = new ShellGuard(noDestructive, 'pty', 65536);
    const out = g.input(Buffer.from('rm -rf /\r'));
    expect(text(out.upstream)).toBe('rm -rf /\x03');
    expect(out.client.join('')).toMatch(/command refused \(command-denied\)/);
    expect(out.decisions[0]).toMatchObject({ allowed: false, rule: 'command-denied', line: 'rm -rf /' });
  });

  it('judges the line after editing keys, not the bytes typed', () => {
    const g = new ShellGuard(noDestructive, 'pty', 65536);
    expect(g.input(Buffer.from('rm -r\x7f\x7f/tmp/x\r')).decisions[0]).toMatchObject({ allowed: true, line: 'rm /tmp/x' });
    expect(g.input(Buffer.from('rm /\x01\x06\x06 -rf\r')).decisions[0]).toMatchObject({ allowed: false, line: 'rm -rf /' });
    expect(g.input(Buffer.from('lx\x7fs\x15rm -rf /\r')).decisions[0]).toMatchObject({ allowed: false });
  });

  it('judges continued lines together', () => {
    const g = new ShellGuard(noDestructive, 'pty', 65536);
    const first = g.input(Buffer.from('rm \\\r'));
    expect(text(first.upstream)).toBe('rm \\\r');
    expect(first.decisions).toEqual([]);
    const second = g.input(Buffer.from('-rf /\r'));
    expect(second.decisions[0]).toMatchObject({ allowed: false });
    expect(text(second.upstream)).toContain('\x03');
    const quoted = new ShellGuard(noDestructive, 'pty', 65536);
    quoted.input(Buffer.from('echo "a\r'));
    expect(quoted.input(Buffer.from('"; rm -rf /\r')).decisions[0]).toMatchObject({ allowed: false });
  });

  it('refuses unknown lines when the profile says so, judges what was typed otherwise', () => {
    const strict = new ShellGuard(readOnly, 'pty', 65536);
    expect(strict.input(Buffer.from('\x1b[A\r')).decisions[0]).toMatchObject({ allowed: false, rule: 'unknown-line' });
    const lenient = new ShellGuard(noDestructive, 'pty', 65536);
    expect(lenient.input(Buffer.from('ls\t\r')).decisions[0]).toMatchObject({ allowed: true, known: false });
    expect(lenient.input(Buffer.from('rm -rf\t /\r')).decisions[0]).toMatchObject({ allowed: false });
  });

  it('judges pasted multi-line text as a whole', () => {
    const g = new ShellGuard(noDestructive, 'pty', 65536);
    expect(g.input(Buffer.from('\x1b[200~ls\nrm -rf /\n\x1b[201~\r')).decisions[0]).toMatchObject({ allowed: false });
  });
});

describe('ShellGuard (lines: a shell without a terminal)', () => {
  it('forwards allowed lines whole and ends the channel at a refused one', () => {
    const g = new ShellGuard(noDestructive, 'lines', 65536);
    const a = g.input(Buffer.from('ls\necho hi\nrm -'));
    expect(text(a.upstream)).toBe('ls\necho hi\n');
    const b = g.input(Buffer.from('rf /\nls\n'));
    expect(b.upstream).toEqual([]);
    expect(b.terminate).toMatch(/command refused/);
  });

  it('judges a last line without newline at end of input', () => {
    const g = new ShellGuard(noDestructive, 'lines', 65536);
    expect(g.input(Buffer.from('shutdown now')).upstream).toEqual([]);
    expect(g.end().terminate).toMatch(/shutdown/);
  });

  it('refuses an endless line rather than buffering without bound', () => {
    const g = new ShellGuard(noDestructive, 'lines', 1024);
    expect(g.input(Buffer.alloc(2048, 0x61)).terminate).toMatch(/longer than 1024/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineTracker, type LineAction } from './line-tracker.js';

const enters = (actions: LineAction[]) => actions.filter((a) => a.kind === 'enter');
const type = (t: LineTracker, s: string) => t.feed(Buffer.from(s, 'utf8'));

describe('LineTracker', () => {
  it('forwards keystrokes and holds Enter with the line it ends', () => {
    const t = new LineTracker();
    const a = type(t, 'ls -la\r');
    expect(a[0]).toMatchObject({ kind: 'forward' });
    expect(a[0]!.bytes.toString()).toBe('ls -la');
    expect(enters(a)).toEqual([expect.objectContaining({ line: 'ls -la', known: true })]);
  });

  it('applies backspace, Ctrl-U, Ctrl-W, Ctrl-K and cursor movement', () => {
    const line = (s: string) => {
      const t = new LineTracker();
      return enters(type(t, s + '\r'))[0]!.line;
    };
    expect(line('rmx\x7f -rf /')).toBe('rm -rf /');
    expect(line('echo hi\x15ls')).toBe('ls');
    expect(line('echo one two\x17three')).toBe('echo one three');
    expect(line('ls -la\x1b[D\x1b[D\x0b')).toBe('ls -');
    expect(line('m -rf /\x01r')).toBe('rm -rf /');
    expect(line('m -rf /\x1b[H\x1b[3~\x1b[Fx')).toBe(' -rf /x');
    expect(line('echo\x1bOD\x1bODx')).toBe('ecxho');
    expect(line('abc\x02\x02\x04')).toBe('ac');
    expect(line('é\x7fok')).toBe('ok');
  });

  it('keeps state across chunk boundaries, escape sequences included', () => {
    const t = new LineTracker();
    const s = 'rm -rf /x\x1b[D\x1b[D\x7fq\r';
    const out: LineAction[] = [];
    for (const ch of Buffer.from(s)) out.push(...t.feed(Buffer.from([ch])));
    expect(enters(out)[0]!.line).toBe('rm -rfq/x');
  });

  it('marks the line unknown after history, completion, search and Alt- keys', () => {
    for (const key of ['\x1b[A', '\t', '\x12', '\x10', '\x19', '\x1bb', '\x1b[5~']) {
      const t = new LineTracker();
      const e = enters(type(t, `rm${key} -rf\r`))[0]!;
      expect(e.known, JSON.stringify(key)).toBe(false);
    }
  });

  it('treats bracketed paste as text, newlines included', () => {
    const t = new LineTracker();
    const a = type(t, '\x1b[200~ls\rrm -rf /\x1b[201~\r');
    expect(enters(a)).toEqual([expect.objectContaining({ line: 'ls\nrm -rf /', known: true })]);
  });

  it('does not judge keys typed into full-screen programs', () => {
    const t = new LineTracker();
    t.observeOutput(Buffer.from('\x1b[?1049h'));
    expect(enters(type(t, ':wq\r'))).toEqual([]);
    t.observeOutput(Buffer.from('bye\x1b[?1049l$ '));
    expect(enters(type(t, 'ls\r'))).toHaveLength(1);
  });

  it('resets on Ctrl-C and bounds the line it keeps', () => {
    const t = new LineTracker();
    expect(enters(type(t, 'rm -rf /\x03ls\r'))[0]!.line).toBe('ls');
    const long = enters(type(t, 'x'.repeat(70_000) + '\r'))[0]!;
    expect(long.known).toBe(false);
    expect(long.line.length).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('LineTracker: properties', () => {
  it('never throws, and chunking never changes the lines it reports', () => {
    const keys = fc.constantFrom('a', 'b', ' ', '-', '\x7f', '\x15', '\x17', '\x0b', '\x01', '\x05', '\x02', '\x06', '\x03', '\r', '\t', '\x1b[A', '\x1b[D', '\x1b[C', '\x1b[3~', '\x1b[200~', '\x1b[201~', '\x1bb', 'é', '\x1b');
    fc.assert(fc.property(fc.array(keys, { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), (typed, step) => {
      const bytes = Buffer.from(typed.join(''), 'utf8');
      const whole = new LineTracker().feed(bytes).filter((a) => a.kind === 'enter').map((a) => [a.line, a.known]);
      const t = new LineTracker();
      const parts: unknown[] = [];
      for (let i = 0; i < bytes.length; i += step) parts.push(...t.feed(bytes.subarray(i, i + step)).filter((a) => a.kind === 'enter').map((a) => [a.line, a.known]));
      expect(parts).toEqual(whole);
    }), { numRuns: 300 });
  });
});

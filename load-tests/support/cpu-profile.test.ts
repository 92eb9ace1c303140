import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summariseCpuProfile } from './cpu-profile.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-cpuprofile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber });

/** Samples every 1000 µs from t=1000: node 2 (idle) twice, then hot (3) three times, then cold (4). */
function writeProfile(): string {
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), hitCount: 0 },
      { id: 2, callFrame: frame('(idle)'), hitCount: 2 },
      { id: 3, callFrame: frame('hot', `file://${join(process.cwd(), 'services', 'x.ts')}`, 9), hitCount: 3 },
      { id: 4, callFrame: frame('cold', 'node:buffer', 0), hitCount: 1 },
    ],
    startTime: 0,
    endTime: 7000,
    samples: [2, 2, 3, 3, 3, 4, 2],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
  };
  const file = join(dir, 'p.cpuprofile');
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

describe('summariseCpuProfile', () => {
  it('ranks functions by self time and leaves idle out of the busy share', () => {
    const s = summariseCpuProfile(writeProfile(), process.cwd());
    expect(s.windowed).toBe(false);
    expect(s.topFunctions.map((f) => f.functionName)).toEqual(['hot', 'cold']);
    expect(s.topFunctions[0]?.location).toBe(join('services', 'x.ts:10'));
    expect(s.topFunctions[0]?.percentOfBusy).toBe(75);
    expect(s.idleMs).toBeGreaterThan(0);
  });

  it('counts only samples inside the window', () => {
    // Samples at t=3000..5000 are the three "hot" ones.
    const s = summariseCpuProfile(writeProfile(), process.cwd(), { startUs: 2500, endUs: 5500 });
    expect(s.windowed).toBe(true);
    expect(s.topFunctions.map((f) => f.functionName)).toEqual(['hot']);
    expect(s.idleMs).toBe(0);
  });

  it('falls back to hit counts when the window holds no sample', () => {
    const s = summariseCpuProfile(writeProfile(), process.cwd(), { startUs: 1e9, endUs: 2e9 });
    expect(s.windowed).toBe(false);
    expect(s.topFunctions.length).toBe(2);
  });

  it('rejects a file that is not a profile', () => {
    const file = join(dir, 'bad.cpuprofile');
    writeFileSync(file, '{"nodes": tru');
    expect(() => summariseCpuProfile(file, process.cwd())).toThrow();
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Recorded data is attacker-controlled: the UI must never turn a string into markup or code. This
// guards the source against the APIs that would (the CSP is the second wall, tested in the browser).
const UI = join(process.cwd(), 'replay-ui');
const FORBIDDEN = [/\.innerHTML\b/, /\.outerHTML\s*=/, /insertAdjacentHTML/, /document\.write/, /\beval\s*\(/, /new Function\s*\(/, /setTimeout\(\s*['"`]/, /\bstyle\s*=\s*["']/, /<script>/i];

describe('replay-ui source', () => {
  it('uses no markup-from-string or eval APIs and no inline scripts or styles', async () => {
    const files = (await readdir(UI)).filter((f) => /\.(js|html)$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = await readFile(join(UI, file), 'utf8');
      for (const pattern of FORBIDDEN) expect(pattern.test(text), `${file}: ${pattern}`).toBe(false);
    }
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// The README's rule, enforced: the protocol core imports only Node builtins, its siblings and core/errors.
it('imports only node builtins, sibling files and services/core/errors.ts', () => {
  const dir = import.meta.dirname;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const offenders: string[] = [];
  for (const file of sources) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const [, spec] of text.matchAll(/^(?:import|export)\s[^'"]*from\s+'([^']+)'/gm)) {
      const ok = spec !== undefined && (spec.startsWith('node:') || /^\.\/[\w-]+\.js$/.test(spec) || spec === '../../../core/errors.js');
      if (!ok) offenders.push(`${file}: ${spec}`);
    }
  }
  expect(sources.length).toBeGreaterThan(20);
  expect(offenders).toEqual([]);
});

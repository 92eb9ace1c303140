import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Regression: `npm ci` on a clean clone failed with "Missing: @chdb/lib-darwin-arm64 from lock
// file" because the registry does not serve chdb's other platform packages, so `npm install`
// dropped them. scripts/lockfile-platform-stubs.mjs adds them back; this keeps them there.
describe('package-lock.json', () => {
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, { optionalDependencies?: Record<string, string> } | undefined>;
  };

  it("locks every optional dependency of chdb, so npm ci accepts it (run 'node scripts/lockfile-platform-stubs.mjs' after npm install)", () => {
    const optional = Object.keys(lock.packages['node_modules/chdb']?.optionalDependencies ?? {});
    expect(optional.length).toBeGreaterThan(0);
    for (const name of optional) expect(Object.keys(lock.packages), name).toContain(`node_modules/${name}`);
  });
});

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory holding tollgate's package.json, found by walking up from this module, so code
 * finds schemas/ and replay-ui/ the same way under tsx (services/...) and compiled (dist/services/...).
 */
export function findPackageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tollgate: cannot find the package root (package.json beside schemas/)');
    dir = parent;
  }
}

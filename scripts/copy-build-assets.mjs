// Copies the non-TypeScript files the compiled code reads beside itself (SQL migrations) into
// dist/, so `node dist/...` finds them where `tsx services/...` does.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const assetDirs = ['services/core/store/migrations'];

for (const dir of assetDirs) {
  const from = join(root, dir);
  if (!existsSync(from)) throw new Error(`build asset folder missing: ${dir}`);
  const to = join(root, 'dist', relative(root, from));
  cpSync(from, to, { recursive: true, filter: (p) => statSync(p).isDirectory() || !p.endsWith('.ts') });
  process.stdout.write(`copied ${readdirSync(from).length} files from ${dir} to dist\n`);
}

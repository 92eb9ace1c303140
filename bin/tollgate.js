#!/usr/bin/env node
// Installed `tollgate` command: runs the compiled CLI (npm run build makes dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/services/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("tollgate: not built yet; run 'npm run build' (or use 'npm run tollgate -- <command>')\n");
  process.exit(1);
}
await import(entry.href);

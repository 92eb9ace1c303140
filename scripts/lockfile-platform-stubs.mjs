// npm ci refuses a lock file that lacks any optional dependency, even one for another platform.
// chdb 3.4 names platform packages (@chdb/lib-darwin-*, @chdb/lib-linux-arm64-gnu) that the npm
// registry does not serve, so `npm install` cannot lock them and `npm ci` then fails. This adds
// os/cpu-constrained entries for them, which npm ci skips on linux-x64 without fetching.
// Run after any `npm install` that rewrites package-lock.json; a test checks the lock has them.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const chdb = lock.packages['node_modules/chdb'];
let added = 0;
for (const [name, version] of Object.entries(chdb?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key] !== undefined) continue;
  const [, os, arch] = /lib-(darwin|linux)-(arm64|x64)/.exec(name) ?? [];
  lock.packages[key] = { version, optional: true, os: [os], cpu: [arch] };
  added++;
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`package-lock.json: ${added} platform stub(s) added\n`);

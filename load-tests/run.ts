// Runs every benchmark in load-tests/ (or those whose file name contains an argument), one after
// another so they never compete for the two cores, and writes the figures to
// test-artifacts/bench-<time>.json. Each *.bench.ts exports `run(): Promise<object>`.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  run: () => Promise<unknown>;
}

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(', ')}\n`);
  process.exit(2);
}

const results: Record<string, unknown> = {};
for (const file of files) {
  process.stderr.write(`\n=== ${file}\n`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  const started = Date.now();
  results[file] = await mod.run();
  process.stderr.write(`=== ${file} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const out = join(here, '..', 'test-artifacts', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(results, null, 2));
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`figures written to ${out}\n`);

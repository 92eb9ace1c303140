/**
 * PostgreSQL guardrail decisions per second, beside the floor they cannot beat: a bare
 * libpg-query parseSync of the same text in the same process.
 *
 *   pgbench-select/cached     the extended-protocol text pgbench -M prepared sends, repeated
 *   pgbench-select/uncached   the same with the cache off: parse + walk + rules every time
 *   pgbench-simple/literals   pgbench -M simple: literal values make every text new (all misses)
 *   mixed/cached, /uncached   reads, writes, DO blocks, PREPARE, garbage, denials in rotation
 *   bare-parse                libpg-query parseSync alone, over the mixed texts
 *
 * Run: node --import tsx load-tests/guardrails.bench.ts
 */
import { parseSync } from 'libpg-query';
import { pathToFileURL } from 'node:url';
import { compileGuardrails, loadGuardrailParser } from '../services/gateway/postgres/guardrails/index.js';
import type { CompiledGuardrails } from '../services/gateway/postgres/guardrails/index.js';

const PGBENCH_SELECT = 'SELECT abalance FROM pgbench_accounts WHERE aid = $1;';

const MIXED = [
  PGBENCH_SELECT,
  'UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;',
  'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);',
  'BEGIN;',
  'END;',
  `SELECT o.id, c.name, sum(l.amount) OVER (PARTITION BY c.id ORDER BY o.created)
     FROM orders o JOIN customers c ON c.id = o.customer_id JOIN lines l ON l.order_id = o.id
    WHERE o.created > now() - interval '7 days' AND c.region = $1 ORDER BY o.created DESC LIMIT 50`,
  'WITH recent AS (SELECT * FROM events WHERE ts > $1) SELECT kind, count(*) FROM recent GROUP BY kind',
  "DO $$BEGIN PERFORM count(*) FROM t WHERE a = 1; END$$",
  "SELECT pg_read_file('/etc/passwd')",
  'DELETE FROM t WHERE 1=1',
  'SELEC garbage',
  'SET statement_timeout = 5000',
];

interface Figure {
  decisionsPerSec: number;
  microsPerDecision: number;
}

function measure(iterations: number, body: (i: number) => void): Figure {
  for (let i = 0; i < Math.min(iterations, 2000); i++) body(i); // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) body(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { decisionsPerSec: Math.round(iterations / seconds), microsPerDecision: Number(((seconds / iterations) * 1e6).toFixed(2)) };
}

function judgeAll(g: CompiledGuardrails, texts: readonly string[], iterations: number): Figure {
  return measure(iterations, (i) => {
    g(texts[i % texts.length] as string);
  });
}

/** Runs every figure once and returns them with the ratios that matter. */
export async function run(): Promise<Record<string, unknown>> {
  await loadGuardrailParser();
  // The WASM parser tiers up over the first ~10k calls; measure after that, not during it.
  measure(20_000, (i) => parseSync(MIXED[i % 8] as string));
  const cached = compileGuardrails(['read-only', 'no-catalog-secrets']);
  const uncached = compileGuardrails(['read-only', 'no-catalog-secrets'], [], { cacheEntries: 0 });
  const figures = {
    'pgbench-select/cached': judgeAll(cached, [PGBENCH_SELECT], 300_000),
    'pgbench-select/uncached': judgeAll(uncached, [PGBENCH_SELECT], 20_000),
    'pgbench-simple/literals': measure(20_000, (i) => {
      cached(`SELECT abalance FROM pgbench_accounts WHERE aid = ${(i * 7919) % 1_000_000};`);
    }),
    'mixed/cached': judgeAll(cached, MIXED, 300_000),
    'mixed/uncached': judgeAll(uncached, MIXED, 12_000),
    'bare-parse': measure(12_000, (i) => {
      try {
        parseSync(MIXED[i % MIXED.length] as string);
      } catch {
        // the garbage text: the parser throws, as it would for a client
      }
    }),
  };
  const ratios = {
    cacheSpeedupPgbench: Number((figures['pgbench-select/cached'].decisionsPerSec / figures['pgbench-select/uncached'].decisionsPerSec).toFixed(1)),
    cacheSpeedupMixed: Number((figures['mixed/cached'].decisionsPerSec / figures['mixed/uncached'].decisionsPerSec).toFixed(1)),
    uncachedCostOverBareParse: Number((figures['bare-parse'].decisionsPerSec / figures['mixed/uncached'].decisionsPerSec).toFixed(2)),
  };
  return { figures, ratios, cache: cached.cacheStats() };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}

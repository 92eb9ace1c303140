import type { PathFigure, PostgresBenchFigures } from '../postgres.bench.js';

function table(rows: readonly PathFigure[]): string[] {
  const lines = ['  mode      path           tps     p50 ms    p99 ms  failed  proxy CPU µs/tx'];
  for (const f of rows) {
    lines.push(`  ${f.mode.padEnd(9)} ${f.path.padEnd(10)} ${f.tps.toFixed(0).padStart(8)} ${f.p50Ms.toFixed(3).padStart(10)} ${f.p99Ms.toFixed(3).padStart(9)} ${String(f.failed).padStart(7)}  ${f.proxyCpuUsPerTx === null ? '' : String(f.proxyCpuUsPerTx).padStart(14)}`);
  }
  return lines;
}

const fmt = (r: number | null) => (r === null ? 'n/a' : r.toFixed(3));

/** Prints the PostgreSQL gateway benchmark's figures as tables on stderr. */
export function printFigures(f: PostgresBenchFigures): void {
  const s = f.settings;
  const lines = [
    '',
    `pgbench -n -S -c ${s.clients} -j ${s.threads} -T ${s.seconds}, scale ${s.scale}, ${s.rounds} interleaved rounds (means)`,
    ...table(f.throughput),
    '',
    ...Object.entries(f.ratios).map(([mode, r]) =>
      `  ${mode.padEnd(9)} tollgate/pgbouncer ${fmt(r.tollgateToPgbouncer)}   tollgate/direct ${fmt(r.tollgateToDirect)}   pgbouncer/direct ${fmt(r.pgbouncerToDirect)}`),
    f.tollgate.available ? '' : `  tollgate not available: ${f.tollgate.reason ?? ''}`,
    '',
    `single connection: pgbench -n -S -c 1 -j 1 -t ${s.singleTransactions}`,
    ...table(f.singleConnection),
  ];
  if (f.variants.length > 0) {
    lines.push('', 'gateway variants (one round each)', '  variant                                mode           tps   p50 ms   p99 ms  proxy CPU µs/tx');
    for (const v of f.variants) {
      lines.push(`  ${v.variant.padEnd(38)} ${v.mode.padEnd(9)} ${v.tps.toFixed(0).padStart(8)} ${v.p50Ms.toFixed(3).padStart(8)} ${v.p99Ms.toFixed(3).padStart(8)}  ${String(v.proxyCpuUsPerTx ?? '').padStart(14)}`);
    }
  }
  const p = f.profile;
  if (p !== null) {
    lines.push(
      '',
      `gateway CPU profile (${p.windowed ? 'pgbench window only' : 'whole process'}): busy ${p.busyMs} ms, idle ${p.idleMs} ms; simple ${p.tps.simple.toFixed(0)} tps, extended ${p.tps.extended.toFixed(0)} tps under the profiler`,
      '  self ms   % busy  function  (location)',
      ...p.topFunctions.map((e) => `  ${e.selfMs.toFixed(1).padStart(7)} ${e.percentOfBusy.toFixed(1).padStart(7)}%  ${e.functionName}  (${e.location})`),
      '',
      '  by file:',
      ...p.topFiles.map((e) => `  ${e.selfMs.toFixed(1).padStart(7)} ${e.percentOfBusy.toFixed(1).padStart(7)}%  ${e.location}`),
    );
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

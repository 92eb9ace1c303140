/**
 * Masking engine throughput on DataRow-sized values, beside two floors in the same process:
 * a no-op (the value handed back) and a UTF-8 decode of every value (what any text scan must pay).
 *
 *   rows/no-match        typical column values with nothing to mask (names, ids, dates, prose)
 *   rows/match           values that each hold an email, card, token or key=value secret
 *   rows/column-rule     a redact rule resolved once per column (no content scan)
 *   rows/no-match-lookup-per-value  as rows/no-match, with the column rule looked up on every value
 *   terminal/64KB        maskText over a 64 KB terminal screenful (ANSI colours, no secrets)
 *   stream/4KB-chunks    the same output through the streaming masker in 4 KB chunks
 *
 * Run: node --import tsx load-tests/masking.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { compileMaskingProfile } from '../services/core/masking/index.js';

const NO_MATCH = [
  'Alice Johnson', '42', '2026-01-31 12:34:56.789+00', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'true',
  'Shipped via ground; customer asked to leave the parcel at the side door near the garage.',
  '1999.95', 'GB', 'pending', 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.',
].map((s) => Buffer.from(s));
const MATCH = [
  'alice.johnson+orders@example.com', '4111 1111 1111 1111', 'token=ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'contact bob@example.org re: 123-45-6789', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2ln',
].map((s) => Buffer.from(s));
const TERMINAL = Buffer.from(
  Array.from({ length: 900 }, (_, i) => `\x1b[32mdrwxr-xr-x\x1b[0m  2 app app 4096 Jan 31 12:${String(i % 60).padStart(2, '0')} dir-${i}\r\n`).join(''),
).subarray(0, 64 * 1024);

interface Figure {
  valuesPerSec: number;
  mbPerSec: number;
}

function measure(values: readonly Buffer[], iterations: number, body: (v: Buffer) => unknown): Figure {
  let sink = 0;
  for (let i = 0; i < Math.min(iterations, 5000); i++) sink += body(values[i % values.length]!) === undefined ? 0 : 1;
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const v = values[i % values.length]!;
    bytes += v.length;
    sink += body(v) === undefined ? 0 : 1;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) process.stderr.write('');
  return { valuesPerSec: Math.round(iterations / seconds), mbPerSec: Number((bytes / seconds / 1e6).toFixed(1)) };
}

/** Runs every figure once and returns them with the ratios that matter. */
export async function run(): Promise<Record<string, unknown>> {
  await Promise.resolve();
  const plan = compileMaskingProfile({ detectors: ['all'], columns: [{ column: 'users.ssn', action: 'redact' }] });
  const note = { table: 'orders', name: 'note' };
  const ssn = { table: 'users', name: 'ssn' };
  const N = 400_000;

  const noop = measure(NO_MATCH, N, (v) => v);
  const decode = measure(NO_MATCH, N, (v) => v.toString('utf8'));
  // The gateway resolves each column once per RowDescription, then masks every DataRow value.
  const noteMasker = plan.columnMasker(note);
  const ssnMasker = plan.columnMasker(ssn);
  const noMatch = measure(NO_MATCH, N, noteMasker);
  const match = measure(MATCH, N / 4, noteMasker);
  const rule = measure(MATCH, N, ssnMasker);
  const byName = measure(NO_MATCH, N, (v) => plan.maskValue(v, note));
  const terminal = measure([TERMINAL], 200, (v) => plan.maskText(v.toString('utf8')));
  const stream = measure([TERMINAL], 200, (v) => {
    const m = plan.createStreamMasker();
    let out = 0;
    for (let o = 0; o < v.length; o += 4096) out += m.push(v.subarray(o, o + 4096)).text.length;
    return out + m.flush().text.length;
  });

  const figures = {
    'baseline/no-op': noop,
    'baseline/utf8-decode': decode,
    'rows/no-match': noMatch,
    'rows/match': match,
    'rows/column-rule': rule,
    'rows/no-match-lookup-per-value': byName,
    'terminal/64KB': terminal,
    'stream/4KB-chunks': stream,
    ratios: {
      noMatchVsDecode: Number((noMatch.valuesPerSec / decode.valuesPerSec).toFixed(2)),
      noMatchVsNoop: Number((noMatch.valuesPerSec / noop.valuesPerSec).toFixed(3)),
      matchVsNoMatch: Number((match.valuesPerSec / noMatch.valuesPerSec).toFixed(3)),
    },
  };
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}

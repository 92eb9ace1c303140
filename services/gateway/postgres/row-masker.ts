import type { ColumnRef, MaskingPlan, MaskResult } from '../../core/masking/index.js';
import { encodeDataRow } from './protocol/index.js';

export type ValueMasker = (value: Buffer) => MaskResult<Buffer>;

/** Per column of one result: how to mask its values, and a label for the decision frame. */
export interface ColumnPlan {
  readonly maskers: readonly ValueMasker[];
  readonly labels: readonly string[];
}

const WITHHELD_TEXT = Buffer.from('[WITHHELD]');
const withheldText: MaskResult<Buffer> = Object.freeze({ value: WITHHELD_TEXT, changed: true, withheld: true, action: undefined, findings: [] });
const withheldBinary: MaskResult<Buffer> = Object.freeze({ value: null, changed: true, withheld: true, action: undefined, findings: [] });

/** Builds the maskers for a result's columns; a column the catalog could not resolve is withheld whole. */
export function columnPlan(plan: MaskingPlan, refs: readonly (ColumnRef | 'unavailable')[], formats: readonly ('text' | 'binary')[]): ColumnPlan {
  const maskers: ValueMasker[] = [];
  const labels: string[] = [];
  refs.forEach((ref, i) => {
    if (ref === 'unavailable') {
      const binary = formats[i] === 'binary';
      maskers.push(() => (binary ? withheldBinary : withheldText));
      labels.push(`#${i + 1}(unresolved)`);
      return;
    }
    maskers.push(plan.columnMasker(ref));
    labels.push([ref.schema, ref.table, ref.name].filter((p) => p !== undefined).join('.'));
  });
  return { maskers, labels };
}

/** What was masked in one result set; recorded as one Decision frame, never with values. */
export class MaskStats {
  rows = 0;
  values = 0;
  withheld = 0;
  private readonly columns = new Map<string, number>();
  private readonly detectors = new Map<string, number>();

  get empty(): boolean {
    return this.values === 0;
  }

  note(label: string, r: MaskResult<Buffer>): void {
    this.values++;
    if (r.withheld) this.withheld++;
    const what = r.withheld ? 'withheld' : (r.action ?? 'detector');
    const key = `${label}:${what}`;
    this.columns.set(key, (this.columns.get(key) ?? 0) + 1);
    for (const f of r.findings) this.detectors.set(f.detector, (this.detectors.get(f.detector) ?? 0) + 1);
  }

  details(): Record<string, string> {
    const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${k}=${n}`).join(',');
    return { rows: String(this.rows), values: String(this.values), withheld: String(this.withheld), columns: list(this.columns), detectors: list(this.detectors) };
  }

  reset(): void {
    this.rows = 0;
    this.values = 0;
    this.withheld = 0;
    this.columns.clear();
    this.detectors.clear();
  }
}

/** Masks one DataRow; returns the re-encoded row, or undefined when no value changed. */
export function maskRow(row: { readonly values: readonly (Buffer | null)[] }, cp: ColumnPlan, stats: MaskStats): Buffer | undefined {
  const values = row.values;
  let out: (Buffer | null)[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const masker = cp.maskers[i];
    // A row wider than its description cannot be attributed to columns: withhold the extra values.
    const r = masker === undefined ? withheldText : masker(v);
    if (!r.changed) continue;
    out ??= values.slice();
    out[i] = r.value;
    stats.note(cp.labels[i] ?? `#${i + 1}`, r);
  }
  if (out === undefined) return undefined;
  stats.rows++;
  return encodeDataRow(out);
}

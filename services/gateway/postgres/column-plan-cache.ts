import type { FieldDescription } from './protocol/index.js';
import type { ColumnPlan } from './row-masker.js';

type Format = 'text' | 'binary';

interface Entry {
  readonly fields: readonly FieldDescription[];
  readonly formats: readonly Format[];
  readonly version: number;
  readonly plan: ColumnPlan;
}

/** Results whose plans a session keeps; an application cycling through more statements recomputes. */
const ENTRIES = 8;

function sameColumns(a: readonly FieldDescription[], b: readonly FieldDescription[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as FieldDescription;
    const y = b[i] as FieldDescription;
    if (x.tableOid !== y.tableOid || x.columnAttr !== y.columnAttr || x.name !== y.name) return false;
  }
  return true;
}

function sameFormats(a: readonly Format[], b: readonly Format[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The column plans of a session's recent result descriptions. A plan depends only on each field's
 * table OID, attribute number and name, its format, and what the column catalog held; so one is
 * reused while those are equal and the catalog has not loaded anything since (its version). A
 * statement run in a loop (pgbench, an ORM's prepared query) then costs no rule matching per execution.
 */
export class ColumnPlanCache {
  private entries: Entry[] = [];

  get(fields: readonly FieldDescription[], formats: readonly Format[], version: number): ColumnPlan | undefined {
    for (const e of this.entries) {
      if (e.version === version && sameColumns(e.fields, fields) && sameFormats(e.formats, formats)) return e.plan;
    }
    return undefined;
  }

  set(fields: readonly FieldDescription[], formats: readonly Format[], version: number, plan: ColumnPlan): void {
    this.entries = [{ fields, formats, version, plan }, ...this.entries.filter((e) => e.version === version).slice(0, ENTRIES - 1)];
  }
}

import type { ColumnRef, MaskingPlan } from '../../core/masking/index.js';
import type { ColumnCatalog } from './column-catalog.js';
import { ColumnPlanCache } from './column-plan-cache.js';
import { copyOutTargets, type CopyTarget } from './copy-target.js';
import { maskCopyTextRow } from './copy-text.js';
import type { FieldDescription } from './protocol/index.js';
import { columnPlan, maskRow, MaskStats, type ColumnPlan } from './row-masker.js';

type Format = 'text' | 'binary';

/** Descriptions remembered per session; beyond this the oldest are forgotten (their rows are then withheld). */
const MAX_REMEMBERED = 10_000;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string);
}
const formatOf = (code: number | undefined): Format => (code === 1 ? 'binary' : 'text');

/** How the rows of a COPY TO in progress are handled. */
type CopyMode = { readonly kind: 'rows'; readonly plan: ColumnPlan } | { readonly kind: 'detectors' } | { readonly kind: 'withhold'; readonly reason: string };

/**
 * Follows which result description each DataRow belongs to, in both protocols, and masks rows by
 * it: simple Query rows follow the last RowDescription; extended rows follow the portal of the
 * Execute they answer, described by Describe(portal) or by Describe(statement) plus Bind's result
 * formats. Rows that cannot be attributed are withheld. Pure: catalog loads are requested through
 * `pending` and awaited by the adapter before the message is handed over.
 */
export class ResultMasking {
  readonly stats = new MaskStats();
  private current: ColumnPlan | undefined;
  private readonly statementFields = new Map<string, readonly FieldDescription[]>();
  private readonly portalFormats = new Map<string, { statement: string; formats: readonly number[] }>();
  private readonly portalPlans = new Map<string, ColumnPlan>();
  private describes: Array<{ target: 'S' | 'P'; name: string }> = [];
  private executes: string[] = [];
  private copyTargets: CopyTarget[] = [];
  private copy: CopyMode | undefined;
  private readonly plans = new ColumnPlanCache();

  constructor(
    private readonly plan: MaskingPlan,
    private readonly catalog: ColumnCatalog,
  ) {}

  onQuery(sql: string): void {
    this.copyTargets = copyOutTargets(sql);
  }

  onBind(portal: string, statement: string, resultFormats: readonly number[]): void {
    remember(this.portalFormats, portal, { statement, formats: resultFormats });
    const fields = this.statementFields.get(statement);
    if (fields === undefined) this.portalPlans.delete(portal);
    else remember(this.portalPlans, portal, this.planFor(fields, (i) => formatOf(resultFormats.length === 1 ? resultFormats[0] : resultFormats[i])));
  }

  onDescribe(target: 'S' | 'P', name: string): void {
    this.describes.push({ target, name });
  }

  onExecute(portal: string): void {
    this.executes.push(portal);
  }

  onClose(target: 'S' | 'P', name: string): void {
    if (target === 'S') this.statementFields.delete(name);
    else {
      this.portalPlans.delete(name);
      this.portalFormats.delete(name);
    }
  }

  /** A catalog load to await before handing `fields` over, or undefined when all are cached. */
  pendingFields(fields: readonly FieldDescription[]): Promise<void> | undefined {
    const missing = this.catalog.missing(fields.map((f) => f.tableOid));
    return missing.length === 0 ? undefined : this.catalog.load(missing);
  }

  /** A catalog load a CopyOutResponse needs first (a COPY of a table without a column list). */
  pendingCopy(): Promise<void> | undefined {
    const t = this.copyTargets[0];
    if (t?.relation === undefined || !t.plainText || t.columns !== undefined) return undefined;
    if (!this.catalog.relationMissing(t.relation.schema, t.relation.table)) return undefined;
    return this.catalog.loadRelation(t.relation.schema, t.relation.table);
  }

  onRowDescription(fields: readonly FieldDescription[]): void {
    const d = this.describes.shift();
    if (d?.target === 'S') {
      remember(this.statementFields, d.name, fields);
      return;
    }
    const plan = this.planFor(fields, (i) => formatOf(fields[i]?.format));
    if (d?.target === 'P') remember(this.portalPlans, d.name, plan);
    else this.current = plan;
  }

  onNoData(): void {
    const d = this.describes.shift();
    if (d?.target === 'S') this.statementFields.delete(d.name);
    else if (d?.target === 'P') this.portalPlans.delete(d.name);
  }

  /** The masked row, or undefined to forward it unchanged. */
  dataRow(row: { readonly values: readonly (Buffer | null)[] }): Buffer | undefined {
    const portal = this.executes[0];
    const plan = portal === undefined ? this.current : this.portalPlans.get(portal);
    return maskRow(row, plan ?? this.unattributed(row.values.length, portal), this.stats);
  }

  /** CommandComplete, PortalSuspended or EmptyQueryResponse ends the current result. */
  onResultEnd(): void {
    if (this.executes.length > 0) this.executes.shift();
    else this.current = undefined;
    this.copy = undefined;
  }

  /** After an error the server skips to Sync: described and executed portals in flight are void. */
  onError(): void {
    this.describes = [];
    this.executes = [];
    this.copy = undefined;
    this.current = undefined;
  }

  onReady(): void {
    this.onError();
    this.copyTargets = [];
  }

  /** Decides how the rows of a COPY TO that just started are handled. */
  onCopyOut(format: number, columnFormats: readonly number[]): CopyMode {
    const target = this.copyTargets.shift();
    const hasRules = this.plan.rules.rules.length > 0;
    if (format === 1) return (this.copy = { kind: 'withhold', reason: 'binary COPY output cannot be masked' });
    if (target === undefined || !target.plainText) {
      return (this.copy = hasRules ? { kind: 'withhold', reason: 'COPY output in this format cannot be split into masked columns' } : { kind: 'detectors' });
    }
    const refs = this.copyColumns(target);
    if (refs === undefined) {
      return (this.copy = hasRules ? { kind: 'withhold', reason: 'COPY (query) output has no column names for the masking rules; use SELECT' } : { kind: 'detectors' });
    }
    const formats = columnFormats.map(formatOf);
    return (this.copy = { kind: 'rows', plan: columnPlan(this.plan, refs, formats) });
  }

  /** The masked CopyData payload, undefined to forward it unchanged, or null to drop it (withheld COPY). */
  copyData(data: Buffer): Buffer | undefined | null {
    const mode = this.copy;
    if (mode === undefined) return undefined;
    if (mode.kind === 'withhold') return null;
    if (mode.kind === 'rows') return maskCopyTextRow(data, mode.plan, this.stats);
    const r = this.plan.maskBytes(data);
    if (!r.changed) return undefined;
    this.stats.note('copy', r);
    this.stats.rows++;
    return r.value ?? null;
  }

  /** The reason the running COPY is withheld, if it is. */
  get copyWithheld(): string | undefined {
    return this.copy?.kind === 'withhold' ? this.copy.reason : undefined;
  }

  private copyColumns(t: CopyTarget): (ColumnRef | 'unavailable')[] | undefined {
    if (t.relation === undefined) return undefined;
    const { schema, table } = t.relation;
    if (t.columns !== undefined) return t.columns.map((name) => ({ schema, table, name }));
    const cols = this.catalog.relation(schema, table);
    if (cols === undefined || cols === 'unavailable') return undefined;
    return cols.map((c) => ({ schema: c.schema, table: c.table, name: c.name }));
  }

  private planFor(fields: readonly FieldDescription[], format: (i: number) => Format): ColumnPlan {
    const formats = fields.map((_, i) => format(i));
    const version = this.catalog.version;
    const cached = this.plans.get(fields, formats, version);
    if (cached !== undefined) return cached;
    const refs = fields.map((f, i) => this.catalog.column(f.tableOid, f.columnAttr, f.name, formats[i] ?? 'text'));
    const plan = columnPlan(this.plan, refs, formats);
    this.plans.set(fields, formats, version, plan);
    return plan;
  }

  private unattributed(columns: number, portal: string | undefined): ColumnPlan {
    const bound = portal === undefined ? undefined : this.portalFormats.get(portal)?.formats;
    const formats = Array.from({ length: columns }, (_, i) => formatOf(bound === undefined ? 0 : bound.length === 1 ? bound[0] : bound[i]));
    return columnPlan(this.plan, formats.map(() => 'unavailable' as const), formats);
  }
}

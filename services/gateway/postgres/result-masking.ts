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
 * One prepared statement or portal as the server holds it. Names are reused (the unnamed ones by
 * every Parse/Bind, named ones after Close or SQL DEALLOCATE/CLOSE), so messages capture the object
 * when the client sends them, and answers fill the object in: a later reuse of the name can never
 * lend its description to an earlier message, nor the reverse. `epoch` voids every object that
 * existed when SQL may have replaced names behind the gateway's back (see NAMESPACE_TAGS).
 */
interface Statement { fields: readonly FieldDescription[] | undefined; readonly epoch: number }
interface Portal {
  readonly statement: Statement | undefined;
  readonly formats: readonly number[];
  plan: ColumnPlan | undefined;
  epoch: number;
}

/** A client message still waiting for its answer, in the order the server answers them. */
type Pending =
  | { readonly k: 'complete'; readonly bound?: Portal } // Parse, Bind, Close: one *Complete each
  | { readonly k: 'describeS'; readonly statement: Statement }
  | { readonly k: 'describeP'; readonly portal: Portal }
  | { readonly k: 'execute'; readonly portal: Portal | undefined; plan?: ColumnPlan | undefined }
  | { readonly k: 'sync' }
  | { readonly k: 'simple' }
  | { readonly k: 'copyEnd' }; // the client's CopyDone/CopyFail, sent before the server asked for data

/** Unanswered messages tracked per session; past this the order is lost and every row is withheld. */
const MAX_PENDING = 65_536;
/** Command tags of statements that may close, declare, prepare or deallocate by name, or run code that may. */
const NAMESPACE_TAGS = /^(DECLARE CURSOR|CLOSE CURSOR|DEALLOCATE|PREPARE|DISCARD|DO|CALL)\b/;

/**
 * Follows which result description each DataRow belongs to, in both protocols, and masks rows by
 * it: simple Query rows follow the last RowDescription; extended rows follow the portal the Execute
 * named when it was sent, described by Describe(portal) or by Describe(statement) plus Bind's
 * result formats. Client messages are queued in the order the server answers them (across Syncs:
 * a client may pipeline several batches), so an answer always lands on its own message. Rows that
 * cannot be attributed are withheld. Pure: catalog loads are requested through `pending` and
 * awaited by the adapter before the message is handed over.
 */
export class ResultMasking {
  readonly stats = new MaskStats();
  private current: ColumnPlan | undefined;
  private readonly statements = new Map<string, Statement>();
  private readonly portals = new Map<string, Portal>();
  private queue: Pending[] = [];
  private lost = false;
  /** After an extended-protocol error, until the client's next Sync: the server ignores every message. */
  private skipping = false;
  /** Between CopyInResponse and the client's CopyDone/CopyFail: the server ignores Sync and Flush. */
  private copyIn = false;
  private epoch = 0;
  private copyTargets: CopyTarget[] = [];
  private copy: CopyMode | undefined;
  private readonly plans = new ColumnPlanCache();

  constructor(
    private readonly plan: MaskingPlan,
    private readonly catalog: ColumnCatalog,
  ) {}

  /** A simple Query or FunctionCall (or the probe sent in its place): answered up to ReadyForQuery. */
  onSimple(): void {
    // Its SQL may DEALLOCATE, PREPARE, CLOSE or DECLARE any name: later messages must not trust the old ones.
    this.statements.clear();
    this.portals.clear();
    this.push({ k: 'simple' });
  }

  /** The text of a simple Query that was forwarded (after onSimple), for its COPY targets. */
  onQuery(sql: string): void {
    this.copyTargets = copyOutTargets(sql);
  }

  onParse(statement: string): void {
    remember(this.statements, statement, { fields: undefined, epoch: this.epoch });
    this.push({ k: 'complete' });
  }

  onBind(portal: string, statement: string, resultFormats: readonly number[]): void {
    // Bind replaces the unnamed portal; a named one exists only after Close (else Bind fails).
    const bound: Portal = { statement: this.statements.get(statement), formats: resultFormats, plan: undefined, epoch: this.epoch };
    remember(this.portals, portal, bound);
    this.push({ k: 'complete', bound });
  }

  onDescribe(target: 'S' | 'P', name: string): void {
    if (target === 'S') {
      // A statement prepared by SQL (PREPARE) gets its object here: the answer describes it as it is now.
      const statement = this.statements.get(name) ?? { fields: undefined, epoch: this.epoch };
      remember(this.statements, name, statement);
      this.push({ k: 'describeS', statement });
      return;
    }
    const portal = this.portals.get(name) ?? { statement: undefined, formats: [], plan: undefined, epoch: this.epoch };
    remember(this.portals, name, portal);
    this.push({ k: 'describeP', portal });
  }

  /** Every Execute of a portal, a resumed one (after PortalSuspended) too, masks by that portal's own description. */
  onExecute(portal: string): void {
    this.push({ k: 'execute', portal: this.portals.get(portal) });
  }

  onClose(target: 'S' | 'P', name: string): void {
    if (target === 'S') this.statements.delete(name);
    else this.portals.delete(name);
    this.push({ k: 'complete' });
  }

  onSync(): void {
    if (this.copyIn) return; // ignored by a server in copy-in mode: it gets no ReadyForQuery
    this.skipping = false;
    this.push({ k: 'sync' });
  }

  /**
   * CopyInResponse: the server ignores the client's Syncs until its CopyDone/CopyFail. Those the
   * client already pipelined before that end were queued: they go; later ones are not queued.
   */
  onCopyIn(): void {
    const end = this.queue.findIndex((e) => e.k === 'copyEnd');
    if (end < 0) {
      this.copyIn = true;
      return;
    }
    this.queue = [...this.queue.slice(0, end).filter((e) => e.k !== 'sync'), ...this.queue.slice(end + 1)];
  }

  /** The client's CopyDone or CopyFail (outside copy-in the server ignores them). */
  onCopyInEnd(): void {
    if (this.copyIn) this.copyIn = false;
    else this.push({ k: 'copyEnd' });
  }

  /** ParseComplete, BindComplete or CloseComplete: the oldest such message is answered. */
  onComplete(): void {
    if (this.queue[0]?.k === 'complete') this.queue.shift();
    else this.desync(); // an answer no queued message asked for: the model no longer matches the server
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
    const head = this.answered();
    if (head?.k === 'describeS') {
      head.statement.fields = fields;
      this.queue.shift();
    } else if (head?.k === 'describeP') {
      head.portal.plan = this.planFor(fields, (i) => formatOf(fields[i]?.format));
      this.queue.shift();
    } else if (this.simple(head)) this.current = this.planFor(fields, (i) => formatOf(fields[i]?.format));
    // Anything else is out of order: no plan is made, so the rows that follow are withheld.
  }

  onNoData(): void {
    const head = this.answered();
    if (head?.k === 'describeS' || head?.k === 'describeP') this.queue.shift();
  }

  /** The masked row, or undefined to forward it unchanged. */
  dataRow(row: { readonly values: readonly (Buffer | null)[] }): Buffer | undefined {
    const head = this.answered();
    let plan: ColumnPlan | undefined;
    if (this.simple(head)) plan = this.current;
    else if (head?.k === 'execute') plan = head.plan ??= this.portalPlan(head.portal);
    const formats = head?.k === 'execute' ? head.portal?.formats : undefined;
    return maskRow(row, plan ?? this.unattributed(row.values.length, formats), this.stats);
  }

  /** CommandComplete (with its tag), PortalSuspended or EmptyQueryResponse ends the current result. */
  onResultEnd(tag?: string): void {
    const head = this.answered();
    if (head?.k === 'execute') this.queue.shift();
    else this.current = undefined;
    this.copy = undefined;
    // DO, CALL, DECLARE, CLOSE, PREPARE... may have replaced names the queued messages captured.
    if (tag !== undefined && NAMESPACE_TAGS.test(tag)) this.epoch++;
  }

  /**
   * An ErrorResponse. Inside a simple Query its ReadyForQuery follows; in the extended protocol the
   * server skips every message up to Sync, so their entries go, and the portals of skipped Binds
   * (the server kept whatever held the name before) are voided.
   */
  onError(): void {
    this.copy = undefined;
    this.copyIn = false;
    this.current = undefined;
    if (this.queue[0]?.k === 'simple') return;
    let n = 0;
    for (; n < this.queue.length; n++) {
      const e = this.queue[n] as Pending;
      if (e.k === 'sync') break;
      if (e.k === 'complete' && e.bound !== undefined) this.voidPortal(e.bound);
    }
    // No Sync sent yet: the server ignores whatever the client sends until it comes, a simple
    // Query included (it gets no answer at all), so nothing is queued until then.
    if (n === this.queue.length) this.skipping = true;
    this.queue.splice(0, n);
  }

  /** ReadyForQuery: the oldest Sync or simple message is answered, with whatever it left unanswered. */
  onReady(): void {
    const at = this.queue.findIndex((e) => e.k === 'sync' || e.k === 'simple');
    this.queue.splice(0, at < 0 ? this.queue.length : at + 1);
    this.copyIn = false;
    this.current = undefined;
    this.copy = undefined;
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

  /** The head of the queue once the Parse/Bind/Close answers before it are settled: a later answer implies them. */
  private answered(): Pending | undefined {
    while (this.queue[0]?.k === 'complete' || this.queue[0]?.k === 'copyEnd') this.queue.shift();
    return this.queue[0];
  }

  /** Rows follow the last RowDescription: inside a simple Query, or with nothing pending (never once the order is lost). */
  private simple(head: Pending | undefined): boolean {
    return head === undefined ? !this.lost : head.k === 'simple';
  }

  private push(e: Pending): void {
    if (this.lost) return;
    if (this.skipping) {
      // The server will not run it: a Bind here leaves the name with what it held before.
      if (e.k === 'complete' && e.bound !== undefined) this.voidPortal(e.bound);
      return;
    }
    if (this.queue.length < MAX_PENDING) this.queue.push(e);
    else this.desync();
  }

  /** Answers can no longer be matched to messages: every row from now on is withheld. */
  private desync(): void {
    this.lost = true;
    this.queue = [];
  }

  private voidPortal(portal: Portal): void {
    for (const [name, p] of this.portals) if (p === portal) this.portals.delete(name);
    portal.plan = undefined;
    portal.epoch = -1;
  }

  private portalPlan(portal: Portal | undefined): ColumnPlan | undefined {
    if (portal === undefined || portal.epoch !== this.epoch) return undefined;
    if (portal.plan !== undefined) return portal.plan;
    const st = portal.statement;
    const fields = st === undefined || st.epoch !== this.epoch ? undefined : st.fields;
    if (fields === undefined) return undefined;
    const f = portal.formats;
    return this.planFor(fields, (i) => formatOf(f.length === 1 ? f[0] : f[i]));
  }

  private unattributed(columns: number, bound: readonly number[] | undefined): ColumnPlan {
    const formats = Array.from({ length: columns }, (_, i) => formatOf(bound === undefined ? 0 : bound.length === 1 ? bound[0] : bound[i]));
    return columnPlan(this.plan, formats.map(() => 'unavailable' as const), formats);
  }
}

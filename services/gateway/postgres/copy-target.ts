import { parseSql } from './guardrails/parser.js';

/** What a COPY ... TO STDOUT statement copies, as far as its text says. */
export interface CopyTarget {
  /** The relation copied, when the statement names one (not for COPY (query) TO). */
  readonly relation: { readonly schema: string | undefined; readonly table: string } | undefined;
  /** The explicit column list, if any. */
  readonly columns: readonly string[] | undefined;
  /** True for the default text format with the default delimiter: rows can be split into fields. */
  readonly plainText: boolean;
}

interface RawCopyStmt {
  relation?: { schemaname?: string; relname?: string };
  attlist?: Array<{ String?: { sval?: string } }>;
  is_from?: boolean;
  options?: Array<{ DefElem?: { defname?: string; arg?: { String?: { sval?: string } } } }>;
}

/**
 * The COPY ... TO statements of a query text, in order; each CopyOutResponse of that query
 * belongs to the next one. Text that does not parse yields an empty list (fail closed later).
 */
export function copyOutTargets(sql: string): CopyTarget[] {
  if (!/copy/i.test(sql)) return [];
  let stmts: Array<{ stmt?: { CopyStmt?: RawCopyStmt } }>;
  try {
    stmts = (parseSql(sql) as { stmts?: typeof stmts }).stmts ?? [];
  } catch {
    return [];
  }
  const out: CopyTarget[] = [];
  for (const s of stmts) {
    const c = s.stmt?.CopyStmt;
    if (c === undefined || c.is_from === true) continue;
    const rel = c.relation?.relname;
    const options = c.options ?? [];
    const plainText = options.every((o) => {
      const name = o.DefElem?.defname;
      const value = o.DefElem?.arg?.String?.sval?.toLowerCase();
      return name !== 'delimiter' && name !== 'null' && name !== 'escape' && name !== 'quote' && !(name === 'format' && value !== 'text');
    });
    out.push({
      relation: rel === undefined ? undefined : { schema: c.relation?.schemaname, table: rel },
      columns: c.attlist?.map((a) => a.String?.sval ?? ''),
      plainText,
    });
  }
  return out;
}

/**
 * Names of functions and relations as the parser resolved them: identifiers already case-folded
 * (unquoted PG_READ_FILE is pg_read_file, "PG_READ_FILE" stays upper case) and Unicode escapes
 * decoded, so matching compares strings exactly.
 */
export interface QualifiedName {
  readonly schema: string | undefined;
  readonly name: string;
}

/** Renders a name as schema.name, or name alone when unqualified. */
export function formatName(n: QualifiedName): string {
  return n.schema === undefined ? n.name : `${n.schema}.${n.name}`;
}

/** Splits a rule's "name" or "schema.name" (quotes not supported: rule names are plain identifiers). */
export function parseRuleName(text: string): QualifiedName {
  const dot = text.lastIndexOf('.');
  return dot < 0 ? { schema: undefined, name: text } : { schema: text.slice(0, dot), name: text.slice(dot + 1) };
}

/**
 * Matches names against a list compiled once. "name" matches that name in every schema;
 * "schema.name" matches it in that schema and unqualified, because an unqualified reference may
 * resolve to it through search_path; "schema.*" matches everything in the schema.
 */
export class NameMatcher {
  private readonly anySchema = new Set<string>();
  private readonly bySchema = new Map<string, Set<string>>();
  private readonly wholeSchemas = new Set<string>();

  constructor(entries: Iterable<string>) {
    for (const entry of entries) this.add(parseRuleName(entry));
  }

  get size(): number {
    return this.anySchema.size + this.bySchema.size + this.wholeSchemas.size;
  }

  private add(n: QualifiedName): void {
    if (n.schema === undefined) this.anySchema.add(n.name);
    else if (n.name === '*') this.wholeSchemas.add(n.schema);
    else {
      let names = this.bySchema.get(n.name);
      if (names === undefined) this.bySchema.set(n.name, (names = new Set()));
      names.add(n.schema);
    }
  }

  /** True when the name is on the list. */
  matches(n: QualifiedName): boolean {
    if (this.anySchema.has(n.name)) return true;
    if (n.schema !== undefined && this.wholeSchemas.has(n.schema)) return true;
    const schemas = this.bySchema.get(n.name);
    if (schemas === undefined) return false;
    return n.schema === undefined || schemas.has(n.schema);
  }
}

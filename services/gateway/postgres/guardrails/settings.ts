import { Kind } from './kinds.js';

/**
 * Which run-time settings matter to a guardrail, and what changing them does. Settings not named
 * here (statement_timeout, work_mem, application_name, DateStyle...) are ordinary session state.
 */
const SETTING_KINDS: ReadonlyMap<string, number> = new Map([
  ['role', Kind.privilege],
  ['session_authorization', Kind.privilege],
  ...[
    'session_replication_role', 'allow_system_table_mods', 'ignore_system_indexes', 'zero_damaged_pages',
    'ignore_checksum_failure', 'ignore_invalid_pages', 'local_preload_libraries', 'session_preload_libraries',
    'shared_preload_libraries', 'dynamic_library_path', 'jit_provider', 'lo_compat_privileges', 'row_security',
    'event_triggers', 'restrict_nonsystem_relation_kind', 'exit_on_error', 'max_stack_depth',
    'temp_file_limit', 'compute_query_id',
  ].map((name): [string, number] => [name, Kind['server-config']]),
]);

/** Whole families of superuser or audit-relevant settings (hiding statements from the server log). */
const CONFIG_PREFIXES = ['log_', 'debug_', 'trace_', 'track_', 'wal_'];

const READ_ONLY_SETTINGS = new Set(['default_transaction_read_only', 'transaction_read_only']);
const TRUE_WORDS = new Set(['on', 'true', 'yes', '1', 't', 'y']);

/**
 * Kinds added by setting `name` to `values` (constant text of each argument; undefined when an
 * argument is not a constant). `values` is undefined for RESET and SET ... TO DEFAULT.
 */
export function settingKinds(name: string, values: readonly (string | undefined)[] | undefined): number {
  const lower = name.toLowerCase();
  const known = SETTING_KINDS.get(lower);
  if (known !== undefined) return known;
  if (CONFIG_PREFIXES.some((p) => lower.startsWith(p))) return Kind['server-config'];
  if (lower === 'search_path') return values !== undefined && searchPathShadowsCatalog(values) ? Kind['search-path'] : Kind.session;
  if (READ_ONLY_SETTINGS.has(lower)) {
    // Turning read-only on is always fine; anything else may undo the database-side backstop.
    const on = values !== undefined && values.length === 1 && TRUE_WORDS.has((values[0] ?? '').toLowerCase());
    return on ? Kind.session : Kind['read-write-transaction'];
  }
  return Kind.session;
}

/**
 * pg_catalog is searched first unless search_path names it explicitly later: then an unqualified
 * builtin name can resolve to a same-named function in an earlier schema. Values that are not
 * constants, and list text smuggled into one string ('public, pg_catalog'), count as shadowing.
 */
export function searchPathShadowsCatalog(values: readonly (string | undefined)[]): boolean {
  const schemas: string[] = [];
  for (const value of values) {
    if (value === undefined) return true;
    for (const part of value.split(',')) {
      const trimmed = part.trim();
      const unquoted = trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2;
      schemas.push(unquoted ? trimmed.slice(1, -1) : trimmed.toLowerCase());
    }
  }
  const at = schemas.indexOf('pg_catalog');
  return at > 0;
}

/**
 * Settings that change how the server tokenises query text. The guardrail parses as PostgreSQL
 * does with standard_conforming_strings on and UTF-8 text: with backslash escapes in ordinary
 * strings, or a client encoding whose multibyte characters contain ASCII quote or backslash bytes
 * (SJIS, BIG5, GBK...), the server would split a text into different statements than the
 * guardrail saw. Returns why, or undefined when the value keeps the two in step. RESET and
 * DEFAULT return to the startup value, which the gateway pins.
 */
export function parserDivergence(name: string, values: readonly (string | undefined)[] | undefined): string | undefined {
  const lower = name.toLowerCase();
  if (values === undefined) return undefined;
  const value = values.length === 1 ? values[0]?.toLowerCase() : undefined;
  if (lower === 'standard_conforming_strings' && !(value !== undefined && TRUE_WORDS.has(value))) {
    return 'standard_conforming_strings off makes backslashes escape quotes the guardrail does not see';
  }
  if (lower === 'client_encoding' && !(value !== undefined && UTF8_NAMES.has(value.replaceAll(/[-_]/g, '')))) {
    return 'a client_encoding other than UTF8 makes the server read the text differently from the guardrail';
  }
  return undefined;
}

const UTF8_NAMES = new Set(['utf8', 'unicode']);

/** Kinds added by transaction options (BEGIN ..., SET TRANSACTION ..., SET SESSION CHARACTERISTICS ...). */
export function transactionOptionKinds(options: readonly unknown[]): number {
  for (const option of options) {
    const def = (option as { DefElem?: { defname?: string; arg?: unknown } }).DefElem;
    if (def?.defname !== 'transaction_read_only') continue;
    const ival = (def.arg as { A_Const?: { ival?: { ival?: number } } } | undefined)?.A_Const?.ival;
    // READ WRITE parses as transaction_read_only = 0 (zero is omitted: {ival:{}}).
    if ((ival?.ival ?? 0) === 0) return Kind['read-write-transaction'];
  }
  return 0;
}

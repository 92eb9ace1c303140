import { isUtf8 } from 'node:buffer';
import { TollgateError } from '../errors.js';
import { applyRule, createHasher } from './column-actions.js';
import type { Hasher } from './column-actions.js';
import { compileColumnRules } from './column-rules.js';
import type { ColumnRuleConfig, ColumnRules, CompiledColumnRule } from './column-rules.js';
import { compileDetectors, maskText } from './detector-set.js';
import type { DetectorSet, TextMaskResult } from './detector-set.js';
import { maskJson, maskJsonText, WITHHELD } from './json-masker.js';
import type { JsonMaskResult } from './json-masker.js';
import { maskSqlLiterals } from './sql-literals.js';
import type { SqlMaskOptions } from './sql-literals.js';
import { createStreamMasker as createDetectorStreamMasker } from './stream-masker.js';
import type { StreamMasker, StreamMaskerOptions, StreamOutput } from './stream-masker.js';
import { emptyStats, statsOfBytes } from './text-view.js';
import type { ColumnRef, Finding, MaskResult } from './types.js';

/** A masking profile as configured: column rules plus content detectors (ids or group names). */
export interface MaskingProfile {
  readonly columns?: readonly ColumnRuleConfig[] | undefined;
  readonly detectors?: readonly string[] | undefined;
}

export interface MaskingPlanOptions {
  /** HMAC key for `hash` rules (at least 16 bytes); required when any rule hashes. */
  readonly hashKey?: Buffer | string | undefined;
  /** Hex characters kept of each HMAC (default 16 = 64 bits). */
  readonly hashLength?: number | undefined;
}

/** A compiled profile: every masking entry point the gateways and ingest use. */
export interface MaskingPlan {
  readonly detectors: DetectorSet;
  readonly rules: ColumnRules;
  /** Masks one value by its column's rule, else by the content detectors; fails closed. */
  maskValue(value: Buffer, column?: ColumnRef): MaskResult<Buffer>;
  maskValue(value: string, column?: ColumnRef): MaskResult<string>;
  /**
   * The same as maskValue with the column's rule looked up once: call it per RowDescription and use
   * the returned function for every DataRow value of that column.
   */
  columnMasker(column?: ColumnRef): (value: Buffer) => MaskResult<Buffer>;
  /** Detectors only, on a string. */
  maskText(text: string): TextMaskResult;
  /** Detectors only, on bytes of unknown encoding: UTF-8 when valid, else each byte as Latin-1. */
  maskBytes(bytes: Buffer): MaskResult<Buffer>;
  maskJson(value: unknown): JsonMaskResult;
  maskJsonText(text: string): TextMaskResult;
  maskSqlLiterals(sql: string, options?: SqlMaskOptions): TextMaskResult;
  createStreamMasker(options?: StreamMaskerOptions): StreamMasker;
}

const WITHHELD_BYTES = Buffer.from(WITHHELD);
const none: readonly Finding[] = Object.freeze([]);

const withheldText: TextMaskResult = { text: WITHHELD, findings: none };
const withheldJson: JsonMaskResult = { value: WITHHELD, changed: true, masked: 1 };

// Fail closed: a detector or rule that throws must not let the input through.
function failClosed<T>(fn: () => T, withheld: T): T {
  try {
    return fn();
  } catch {
    return withheld;
  }
}

/** A stream masker whose errors withhold what it held and whatever is pushed until the next flush. */
function failClosedStream(inner: StreamMasker): StreamMasker {
  let broken = false;
  const guard = (fn: () => StreamOutput): StreamOutput => {
    if (broken) return { text: '', findings: none };
    try {
      return fn();
    } catch {
      broken = true;
      return { text: WITHHELD, findings: none };
    }
  };
  return {
    push: (chunk) => guard(() => inner.push(chunk)),
    flush() {
      const out = guard(() => inner.flush());
      broken = false;
      return out;
    },
    get pending() {
      return inner.pending;
    },
  };
}

function hasherFor(rules: ColumnRules, options: MaskingPlanOptions): Hasher | undefined {
  const needs = rules.rules.some((r) => r.action === 'hash');
  if (options.hashKey === undefined) {
    if (needs) throw new TollgateError('TG_ERR_CONFIG', 'a masking rule uses action "hash" but no hash key is configured');
    return undefined;
  }
  const key = Buffer.isBuffer(options.hashKey) ? options.hashKey : Buffer.from(options.hashKey, 'utf8');
  if (key.length < 16) throw new TollgateError('TG_ERR_CONFIG', 'the masking hash key must be at least 16 bytes');
  const len = options.hashLength ?? 16;
  if (!Number.isInteger(len) || len < 8 || len > 64) throw new TollgateError('TG_ERR_CONFIG', 'masking hashLength must be an integer from 8 to 64');
  return createHasher(key, len);
}

/** Compiles a profile once (detectors, column rules, hash key) into a plan used per value. */
export function compileMaskingProfile(profile: MaskingProfile, options: MaskingPlanOptions = {}): MaskingPlan {
  const detectors = compileDetectors(profile.detectors ?? []);
  const rules = compileColumnRules(profile.columns ?? []);
  const hasher = hasherFor(rules, options);
  const stats = emptyStats();

  const result = <T extends string | Buffer>(value: T | null, changed: boolean, rule: CompiledColumnRule | undefined, findings: readonly Finding[], withheld = false): MaskResult<T> => ({
    value,
    changed,
    withheld,
    action: rule?.action,
    findings,
  });
  const withhold = <T extends string | Buffer>(value: T, column: ColumnRef | undefined, rule: CompiledColumnRule | undefined): MaskResult<T> => {
    const out = column?.format === 'binary' ? null : ((Buffer.isBuffer(value) ? WITHHELD_BYTES : WITHHELD) as T);
    return result(out, true, rule, none, true);
  };

  const byRule = <T extends string | Buffer>(value: T, column: ColumnRef | undefined, rule: CompiledColumnRule): MaskResult<T> => {
    if (column?.format === 'binary') return rule.action === 'null' ? result<T>(null, true, rule, none) : withhold(value, column, rule);
    const text = typeof value === 'string' ? value : isUtf8(value) ? value.toString('utf8') : undefined;
    const out = applyRule(rule, value, text, hasher);
    if (out === undefined) return withhold(value, column, rule);
    if (out === null) return result<T>(null, true, rule, none);
    return result((Buffer.isBuffer(value) ? Buffer.from(out) : out) as T, true, rule, none);
  };

  // Binary-format values are never spliced (a shorter bytea or array would corrupt framing): any
  // finding in their printable content withholds the whole value.
  const binaryContent = <T extends string | Buffer>(value: T, column: ColumnRef): MaskResult<T> => {
    const text = typeof value === 'string' ? value : value.toString('latin1');
    const r = maskText(text, detectors);
    return r.findings.length === 0 ? result(value, false, undefined, none) : { ...withhold(value, column, undefined), findings: r.findings };
  };

  const bytesText = (value: Buffer, invalid: 'withhold' | 'latin1', column: ColumnRef | undefined): MaskResult<Buffer> => {
    if (!statsOfBytes(value, stats) && !detectors.detectors.some((d) => d.gate(stats))) return result(value, false, undefined, none);
    const utf8 = isUtf8(value);
    if (!utf8 && invalid === 'withhold') return withhold(value, column, undefined);
    const encoding = utf8 ? 'utf8' : 'latin1';
    const r = maskText(value.toString(encoding), detectors);
    if (r.findings.length === 0) return result(value, false, undefined, none);
    return result(Buffer.from(r.text, encoding), true, undefined, r.findings);
  };

  const maskValueUnsafe = <T extends string | Buffer>(value: T, column: ColumnRef | undefined, resolved?: CompiledColumnRule | null): MaskResult<T> => {
    const rule = resolved === undefined ? (column === undefined ? undefined : rules.match(column)) : (resolved ?? undefined);
    if (rule !== undefined) return byRule(value, column, rule);
    if (column?.format === 'binary') return binaryContent(value, column);
    if (Buffer.isBuffer(value)) return bytesText(value, 'withhold', column) as MaskResult<T>;
    const r = maskText(value, detectors);
    return r.findings.length === 0 ? result(value, false, undefined, none) : result(r.text as T, true, undefined, r.findings);
  };

  function maskValue(value: Buffer, column?: ColumnRef): MaskResult<Buffer>;
  function maskValue(value: string, column?: ColumnRef): MaskResult<string>;
  function maskValue(value: Buffer | string, column?: ColumnRef): MaskResult<Buffer | string> {
    try {
      return maskValueUnsafe(value, column);
    } catch {
      return withhold(value, column, undefined);
    }
  }

  const columnMasker = (column?: ColumnRef): ((value: Buffer) => MaskResult<Buffer>) => {
    const rule = (column === undefined ? undefined : rules.match(column)) ?? null;
    return (value) => {
      try {
        return maskValueUnsafe(value, column, rule);
      } catch {
        return withhold(value, column, undefined);
      }
    };
  };

  return {
    detectors,
    rules,
    maskValue,
    columnMasker,
    maskText: (text) => failClosed(() => maskText(text, detectors), withheldText),
    maskBytes(bytes) {
      try {
        return bytesText(bytes, 'latin1', undefined);
      } catch {
        return withhold(bytes, undefined, undefined);
      }
    },
    maskJson: (value) => failClosed(() => maskJson(value, detectors), withheldJson),
    maskJsonText: (text) => failClosed(() => maskJsonText(text, detectors), withheldText),
    maskSqlLiterals: (sql, opts) => failClosed(() => maskSqlLiterals(sql, detectors, opts), withheldText),
    createStreamMasker: (opts) => failClosedStream(createDetectorStreamMasker(detectors, opts)),
  };
}

/** A streaming masker for a plan's detectors (terminal output and input), fail-closed like the plan. */
export function createStreamMasker(plan: MaskingPlan, options?: StreamMaskerOptions): StreamMasker {
  return plan.createStreamMasker(options);
}

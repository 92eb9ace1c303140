import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TollgateError } from '../../services/core/errors.js';
import { findPackageRoot } from '../../services/core/package-root.js';
import { compileRule, type CompiledRule } from './engine.js';
import { ruleListSchema, ruleSchema, type RuleSpec } from './format.js';

/** The folder of the built-in rule pack: read from the package's source tree, so a compiled build finds it too. */
export const BUILTIN_RULES_DIR = join(findPackageRoot(), 'ingest', 'rules', 'builtin');

/** Parses and validates one rule file's text; every problem is named with its path in one error. */
export function parseRuleFile(text: string, source: string): RuleSpec[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new TollgateError('TG_ERR_CONFIG', `${source}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  // Validate against the shape the file claims, so problems name fields rather than "no union matched".
  const list = doc !== null && typeof doc === 'object' && 'rules' in doc;
  const parsed = list ? ruleListSchema.safeParse(doc) : ruleSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}${'keys' in i ? ` (${String(i.keys)})` : ''}`);
    throw new TollgateError('TG_ERR_CONFIG', `${source}: invalid rule: ${problems.join('; ')}`, { context: { problems } });
  }
  return 'rules' in parsed.data ? parsed.data.rules : [parsed.data];
}

/** Reads one rule file and compiles its rules. */
export function loadRuleFile(path: string): CompiledRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TollgateError('TG_ERR_CONFIG', `cannot read rule file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseRuleFile(text, path).map((spec) => compileRule(spec, path));
}

/** The .yaml/.yml files of a folder, sorted; a missing folder holds none. */
function ruleFiles(dir: string): string[] {
  try {
    if (!statSync(dir).isDirectory()) return [];
  } catch {
    return [];
  }
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
}

/**
 * Loads the built-in pack, then every rule file of `extraDirs`. A rule in a later file with the id
 * of an earlier one replaces it (so an operator can retune or disable a built-in rule); ids are
 * otherwise unique.
 */
export function loadRules(extraDirs: readonly string[] = []): CompiledRule[] {
  const byId = new Map<string, CompiledRule>();
  for (const dir of [BUILTIN_RULES_DIR, ...extraDirs]) {
    const seenHere = new Set<string>();
    for (const file of ruleFiles(dir)) {
      for (const rule of loadRuleFile(file)) {
        if (seenHere.has(rule.spec.id)) throw new TollgateError('TG_ERR_CONFIG', `rule id ${rule.spec.id} is defined twice in ${dir}`);
        seenHere.add(rule.spec.id);
        byId.set(rule.spec.id, rule);
      }
    }
  }
  return [...byId.values()];
}

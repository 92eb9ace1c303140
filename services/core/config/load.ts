import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { TollgateError } from '../errors.js';
import { resolveConfig, type TollgateConfig } from './resolve.js';
import { configSchema } from './schema.js';
import { resolveSecrets } from './secret.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ParseOptions {
  /** Folder relative paths resolve against; default: the current directory. */
  baseDir?: string;
  /** Where the object came from, for error messages. */
  source?: string;
  /**
   * Overrides dataDir (e.g. `--data-dir`) before defaults derive from it; a relative value is
   * resolved against the working directory, as a command-line path would be.
   */
  dataDir?: string | undefined;
}

export type LoadOptions = Pick<ParseOptions, 'dataDir'>;

export interface ConfigProblem {
  path: string;
  message: string;
}

/** Validates a config object (already read from YAML/JSON) into the fully defaulted config. */
export function parseConfig(input: unknown, env: Env, options: ParseOptions = {}): TollgateConfig {
  const source = options.source ?? 'configuration';
  const problems = findPrototypeKeys(input ?? {});
  const parsed = configSchema.safeParse(input ?? {});
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map(describeIssue));
    problems.push(...missingEnvInRaw(input, env));
    throw configError(source, problems);
  }
  problems.push(...resolveSecrets(parsed.data, env).map((p) => ({ path: p.path, message: `environment variable ${p.env} is not set (or empty)` })));
  if (problems.length > 0) throw configError(source, problems);
  if (options.dataDir !== undefined) parsed.data.dataDir = resolve(options.dataDir);
  return resolveConfig(parsed.data, options.baseDir ?? process.cwd());
}

/** Reads a YAML or JSON file (or nothing: built-in defaults) and parses it with parseConfig. */
export async function loadConfig(path: string | undefined, env: Env, options: LoadOptions = {}): Promise<TollgateConfig> {
  if (path === undefined) return parseConfig({}, env, options);
  const full = resolve(path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new TollgateError('TG_ERR_CONFIG', `cannot read configuration file ${full}: ${(err as Error).message}`, { cause: err, context: { path: full } });
  }
  let raw: unknown;
  try {
    raw = parseConfigText(text);
  } catch (err) {
    throw new TollgateError('TG_ERR_CONFIG', `${full} is not valid ${extname(full) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`, { cause: err, context: { path: full } });
  }
  return parseConfig(raw, env, { ...options, baseDir: dirname(full), source: full });
}

const YAML_OPTIONS = { uniqueKeys: true, maxAliasCount: 100, merge: false, version: '1.2' } as const;

/**
 * Reads YAML 1.2 (JSON is a subset, so .json files go through here too and duplicate keys are
 * refused in both: with JSON.parse the last of two "guardrails" keys would win silently). A
 * `%YAML 1.1` directive is refused (it turns on `<<` merge keys and reads yes/no/on/off as
 * booleans), and so is any warning, such as an unknown tag like `!!js/function`, which would
 * otherwise become a plain string.
 */
function parseConfigText(text: string): unknown {
  const doc = parseDocument(text, YAML_OPTIONS);
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first !== undefined) throw first;
  const version = doc.directives?.yaml.version;
  if (version !== undefined && version !== '1.2') throw new Error(`%YAML ${version} is not supported: tollgate reads YAML 1.2 only`);
  return doc.toJS({ maxAliasCount: YAML_OPTIONS.maxAliasCount });
}

function configError(source: string, problems: ConfigProblem[]): TollgateError {
  const lines = problems.map((p) => `  ${p.path === '' ? '(root)' : p.path}: ${p.message}`);
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return new TollgateError('TG_ERR_CONFIG', `${source} has ${problems.length} ${noun}:\n${lines.join('\n')}`, { context: { source, problems } });
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem {
  let message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'unrecognized_keys') message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return { path: issue.path.map(String).join('.'), message };
}

/** JSON.parse keeps "__proto__" as an own key and zod silently drops it; say so instead. */
function findPrototypeKeys(node: unknown, path = ''): ConfigProblem[] {
  if (node === null || typeof node !== 'object') return [];
  const out: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(node)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (key === '__proto__') out.push({ path: here, message: '"__proto__" is not allowed as a key' });
    out.push(...findPrototypeKeys(value, here));
  }
  return out;
}

/** Best effort while the schema fails: report unset { env } references now, not on the next run. */
function missingEnvInRaw(node: unknown, env: Env, path = ''): ConfigProblem[] {
  if (node === null || typeof node !== 'object') return [];
  const entries = Object.entries(node);
  const ref = entries.length === 1 && entries[0]?.[0] === 'env' && typeof entries[0][1] === 'string' ? entries[0][1] : undefined;
  if (ref !== undefined) {
    const value = Object.hasOwn(env, ref) ? env[ref] : undefined;
    return value === undefined || value === '' ? [{ path, message: `environment variable ${ref} is not set (or empty)` }] : [];
  }
  return entries.flatMap(([key, value]) => missingEnvInRaw(value, env, path === '' ? key : `${path}.${key}`));
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TollgateError } from '../errors.js';

/** A parsed Avro schema as JSON: a name, a record/enum/array/map object, or a union array. */
export type SchemaJson = string | SchemaJson[] | { [key: string]: unknown };

/**
 * Finds the schemas/ folder by walking up from this module, so the same code works from
 * services/ (tsx, vitest) and from dist/services/ (npm start): both sit below the package root.
 */
export function findSchemasDir(from: string = import.meta.url): string {
  let dir = dirname(from.startsWith('file:') ? fileURLToPath(from) : from);
  for (;;) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'Frame.avsc'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new TollgateError('TG_ERR_SCHEMA', `no schemas/Frame.avsc found above ${from}; set the schemas directory explicitly`);
    }
    dir = parent;
  }
}

/** Every named type defined in schemas/types and schemas/events, by full name. */
export function readNamedTypes(dir: string): Map<string, SchemaJson> {
  const named = new Map<string, SchemaJson>();
  for (const sub of ['types', 'events']) {
    const folder = join(dir, sub);
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.avsc')).sort()) {
      const json = readSchemaFile(join(folder, file));
      const name = fullNameOf(json, undefined);
      if (name === undefined) throw new TollgateError('TG_ERR_SCHEMA', `${sub}/${file} defines no named type`);
      if (named.has(name)) throw new TollgateError('TG_ERR_SCHEMA', `${sub}/${file} redefines ${name}`);
      named.set(name, json);
    }
  }
  return named;
}

/** Reads and parses one .avsc file, naming the file in any error. */
export function readSchemaFile(path: string): SchemaJson {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SchemaJson;
  } catch (err) {
    throw new TollgateError('TG_ERR_SCHEMA', `cannot read Avro schema ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Returns a self-contained copy of a schema: each named type it references is written out in full
 * at its first use and by name after that, as the Avro spec requires and schema registries expect.
 * avsc's own Type#schema() cannot be used for this: it drops enum defaults and logicalType.
 */
export function inlineSchema(root: SchemaJson, named: ReadonlyMap<string, SchemaJson>): SchemaJson {
  const defined = new Set<string>();
  const visit = (node: SchemaJson, namespace: string | undefined): SchemaJson => {
    if (typeof node === 'string') {
      const full = node.includes('.') || PRIMITIVES.has(node) ? node : qualify(node, namespace);
      if (PRIMITIVES.has(full) || defined.has(full)) return node;
      const def = named.get(full);
      if (def === undefined) throw new TollgateError('TG_ERR_SCHEMA', `undefined Avro type name ${full}`);
      return visit(def, namespace);
    }
    if (Array.isArray(node)) return node.map((branch) => visit(branch, namespace));
    const name = fullNameOf(node, namespace);
    if (name !== undefined) defined.add(name);
    const inner = name === undefined ? namespace : name.slice(0, Math.max(0, name.lastIndexOf('.'))) || undefined;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'type' && typeof value === 'string' && COMPLEX.has(value)) out[key] = value;
      else if (key === 'type' || key === 'items' || key === 'values') out[key] = visit(value as SchemaJson, inner);
      else if (key === 'fields' && Array.isArray(value)) {
        out[key] = (value as Record<string, unknown>[]).map((field) => ({ ...field, type: visit(field['type'] as SchemaJson, inner) }));
      } else out[key] = value;
    }
    return out;
  };
  return visit(root, undefined);
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const COMPLEX = new Set(['record', 'error', 'enum', 'fixed', 'array', 'map']);

function qualify(name: string, namespace: string | undefined): string {
  return namespace === undefined ? name : `${namespace}.${name}`;
}

function fullNameOf(node: SchemaJson, namespace: string | undefined): string | undefined {
  if (typeof node !== 'object' || Array.isArray(node)) return undefined;
  const name = node['name'];
  if (typeof name !== 'string' || !['record', 'enum', 'fixed', 'error'].includes(node['type'] as string)) return undefined;
  if (name.includes('.')) return name;
  const ns = typeof node['namespace'] === 'string' ? node['namespace'] : namespace;
  return qualify(name, ns);
}

import { join } from 'node:path';
import type { Type } from 'avsc';
import { TollgateError } from '../errors.js';
import { Topics } from '../log/port.js';
import { compileSchema } from './compile.js';
import { findSchemasDir, inlineSchema, readNamedTypes, readSchemaFile } from './schema-files.js';
import type { SchemaJson } from './schema-files.js';

/** Schema registry subjects, by Confluent's TopicNameStrategy: `<topic>-value`. */
export const Subjects = {
  frames: `${Topics.frames}-value`,
  alerts: `${Topics.alerts}-value`,
} as const;

/** One top-level schema: its self-contained JSON, the text registered for it, and the compiled type. */
export interface LoadedSchema {
  readonly name: string;
  readonly subject: string;
  readonly json: SchemaJson;
  /** Compact JSON text; what the registry stores and what the codec's reader type was built from. */
  readonly text: string;
  readonly type: Type;
}

export interface EventSchemas {
  readonly dir: string;
  readonly frame: LoadedSchema;
  readonly alert: LoadedSchema;
}

const cache = new Map<string, EventSchemas>();

/**
 * Loads schemas/Frame.avsc and schemas/Alert.avsc with the named types they reference, inlines them
 * into self-contained documents and compiles each once. Cached per directory.
 */
export function loadEventSchemas(dir: string = findSchemasDir()): EventSchemas {
  const hit = cache.get(dir);
  if (hit !== undefined) return hit;
  const named = readNamedTypes(dir);
  const load = (file: string, subject: string): LoadedSchema =>
    loadedSchema(`tollgate.${file.replace('.avsc', '')}`, subject, inlineSchema(readSchemaFile(join(dir, file)), named));
  const schemas: EventSchemas = { dir, frame: load('Frame.avsc', Subjects.frames), alert: load('Alert.avsc', Subjects.alerts) };
  cache.set(dir, schemas);
  return schemas;
}

/** Compiles a self-contained schema (such as a snapshot in schemas/history/) into a LoadedSchema. */
export function loadedSchema(name: string, subject: string, json: SchemaJson): LoadedSchema {
  return { name, subject, json, text: JSON.stringify(json), type: compileSchema(json, name) };
}

/** Compiles a schema text fetched from a registry (a writer's schema). */
export function compileSchemaText(text: string, what: string): Type {
  let json: SchemaJson;
  try {
    json = JSON.parse(text) as SchemaJson;
  } catch (err) {
    throw new TollgateError('TG_ERR_SCHEMA', `${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return compileSchema(json, what);
}

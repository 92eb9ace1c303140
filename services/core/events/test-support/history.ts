import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSchemaFile } from '../schema-files.js';
import { Subjects, loadedSchema } from '../schemas.js';
import type { LoadedSchema } from '../schemas.js';

/** One frozen schema version (schemas/history/<Name>.v<N>.avsc) and its stored samples. */
export interface HistoricVersion {
  version: number;
  schema: LoadedSchema;
  /** schemas/samples/<name>-v<N>/ */
  samplesDir: string;
}

const SUBJECTS = { Frame: Subjects.frames, Alert: Subjects.alerts } as const;

/** Every frozen version of a top-level schema, oldest first. */
export function schemaHistory(schemasDir: string, name: 'Frame' | 'Alert'): HistoricVersion[] {
  const pattern = new RegExp(`^${name}\\.v(\\d+)\\.avsc$`);
  return readdirSync(join(schemasDir, 'history'))
    .map((file) => ({ file, match: pattern.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => {
      const version = Number(match[1]);
      const json = readSchemaFile(join(schemasDir, 'history', file));
      return { version, schema: loadedSchema(`tollgate.${name}`, SUBJECTS[name], json), samplesDir: join(schemasDir, 'samples', `${name.toLowerCase()}-v${version}`) };
    })
    .sort((a, b) => a.version - b.version);
}

/** A stored sample: the framed bytes and the value they were written from. */
export interface Sample {
  name: string;
  bytes: Buffer;
  expected: unknown;
}

/** Reads <name>.bin with its <name>.json from a samples folder. */
export function readSamples(dir: string): Sample[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.bin'.length);
      return { name, bytes: readFileSync(join(dir, file)), expected: fromSampleJson(readFileSync(join(dir, `${name}.json`), 'utf8')) };
    });
}

/** JSON with Buffers as {"$bytes": base64}, so sample values can be read by eye and compared exactly. */
export function toSampleJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (isBufferJson(v) ? { $bytes: Buffer.from(v.data).toString('base64') } : v), 2)}\n`;
}

export function fromSampleJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    const encoded = (v as { $bytes?: unknown } | null)?.$bytes;
    return typeof encoded === 'string' ? Buffer.from(encoded, 'base64') : v;
  });
}

function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}

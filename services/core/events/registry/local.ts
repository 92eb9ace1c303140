import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { TollgateError } from '../../errors.js';
import { MAX_SCHEMA_ID } from '../framing.js';
import { assertCompatible, canonicalSchema } from './compatibility.js';
import type { RegisteredSchema, SchemaRegistry } from './port.js';

const FILE_NAME = 'schema-registry.json';

const queues = new Map<string | object, Promise<unknown>>();
const FORMAT = 'tollgate-schema-registry/1';

interface RegistryFile {
  format: string;
  schemas: { id: number; schema: string }[];
  subjects: Record<string, number[]>;
}

/**
 * A schema registry in one JSON file, for embedded mode. Ids come from a hash of the canonical
 * schema, so the same schema gets the same id in every data directory and after every restart (a
 * collision, about one in 2^31 per pair, moves to the next free id). Registrations are serialised
 * within the process; the file is replaced atomically (write, fsync, rename, fsync the folder).
 */
export class LocalSchemaRegistry implements SchemaRegistry {
  private readonly schemas = new Map<number, string>();
  private readonly idsByCanonical = new Map<string, number>();
  private readonly subjects = new Map<string, number[]>();
  private readonly file: string | undefined;

  private constructor(private readonly dir: string | undefined) {
    this.file = dir === undefined ? undefined : join(dir, FILE_NAME);
  }

  /** A registry that keeps nothing on disk: for tests and tools. Ids are the same as on disk. */
  static memory(): LocalSchemaRegistry {
    return new LocalSchemaRegistry(undefined);
  }

  /** Opens (creating if needed) the registry kept in dir. */
  static async open(dir: string): Promise<LocalSchemaRegistry> {
    const registry = new LocalSchemaRegistry(dir);
    await mkdir(dir, { recursive: true });
    await registry.reload();
    return registry;
  }

  register(subject: string, schema: string): Promise<number> {
    // One queue per file, shared by every instance in the process, so two instances opened on the
    // same folder cannot interleave read-modify-write rounds and lose a registration.
    const key = this.file ?? this;
    const run = (queues.get(key) ?? Promise.resolve()).then(() => this.registerNow(subject, schema));
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  }

  async getById(id: number): Promise<string> {
    let schema = this.schemas.get(id);
    if (schema === undefined) {
      await this.reload(); // another process may have registered it since we read the file
      schema = this.schemas.get(id);
    }
    if (schema === undefined) {
      throw new TollgateError('TG_ERR_SCHEMA', `schema id ${id} is not in the registry at ${this.file ?? '(memory)'}`, { context: { schemaId: id } });
    }
    return schema;
  }

  latest(subject: string): Promise<RegisteredSchema | undefined> {
    const ids = this.subjects.get(subject);
    const id = ids?.at(-1);
    if (ids === undefined || id === undefined) return Promise.resolve(undefined);
    return Promise.resolve({ subject, id, version: ids.length, schema: this.schemas.get(id) ?? '' });
  }

  private async registerNow(subject: string, schema: string): Promise<number> {
    assertSubject(subject);
    const canonical = canonicalSchema(schema);
    await this.reload();
    const ids = this.subjects.get(subject) ?? [];
    const existing = this.idsByCanonical.get(canonical);
    if (existing !== undefined && ids.includes(existing)) return existing;
    assertCompatible(subject, canonical, ids.map((id, i) => ({ version: i + 1, schema: this.schemas.get(id) ?? '' })));
    const id = existing ?? this.freeIdFor(canonical);
    this.schemas.set(id, canonical);
    this.idsByCanonical.set(canonical, id);
    this.subjects.set(subject, [...ids, id]);
    await this.persist();
    return id;
  }

  private freeIdFor(canonical: string): number {
    let id = (createHash('sha256').update(canonical).digest().readUInt32BE(0) & MAX_SCHEMA_ID) || 1;
    while (this.schemas.has(id)) id = id === MAX_SCHEMA_ID ? 1 : id + 1;
    return id;
  }

  private async reload(): Promise<void> {
    if (this.file === undefined) return;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new TollgateError('TG_ERR_SCHEMA_REGISTRY', `cannot read ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    const data = parseFile(text, this.file);
    for (const { id, schema } of data.schemas) {
      this.schemas.set(id, schema);
      this.idsByCanonical.set(schema, id);
    }
    for (const [subject, ids] of Object.entries(data.subjects)) this.subjects.set(subject, ids);
  }

  private async persist(): Promise<void> {
    if (this.file === undefined || this.dir === undefined) return;
    const data: RegistryFile = {
      format: FORMAT,
      schemas: [...this.schemas].map(([id, schema]) => ({ id, schema })),
      subjects: Object.fromEntries(this.subjects),
    };
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      const handle = await open(tmp, 'w', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(data, null, 1)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.file);
      const folder = await open(this.dir, 'r');
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    } catch (err) {
      throw new TollgateError('TG_ERR_SCHEMA_REGISTRY', `cannot write ${this.file}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function parseFile(text: string, file: string): RegistryFile {
  let data: Partial<RegistryFile>;
  try {
    data = JSON.parse(text) as Partial<RegistryFile>;
  } catch (err) {
    throw new TollgateError('TG_ERR_SCHEMA_REGISTRY', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (data.format !== FORMAT || !Array.isArray(data.schemas) || typeof data.subjects !== 'object' || data.subjects === null) {
    throw new TollgateError('TG_ERR_SCHEMA_REGISTRY', `${file} is not a ${FORMAT} file`);
  }
  return data as RegistryFile;
}

function assertSubject(subject: string): void {
  if (!/^[A-Za-z0-9._-]{1,255}$/.test(subject)) {
    throw new TollgateError('TG_ERR_SCHEMA', `subject ${JSON.stringify(subject)} must be 1-255 letters, digits, dots, dashes or underscores`);
  }
}

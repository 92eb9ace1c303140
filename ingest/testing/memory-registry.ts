import { TollgateError } from '../../services/core/errors.js';
import type { RegisteredSchema, SchemaRegistry } from '../../services/core/events/registry/port.js';

/** A schema registry in memory, for tests and benchmarks that need a codec without files. */
export class MemoryRegistry implements SchemaRegistry {
  private readonly byId = new Map<number, RegisteredSchema>();

  // eslint-disable-next-line @typescript-eslint/require-await -- the port is async
  async register(subject: string, schema: string): Promise<number> {
    for (const s of this.byId.values()) if (s.subject === subject && s.schema === schema) return s.id;
    const id = this.byId.size + 1;
    const version = [...this.byId.values()].filter((s) => s.subject === subject).length + 1;
    this.byId.set(id, { subject, id, version, schema });
    return id;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the port is async
  async getById(id: number): Promise<string> {
    const s = this.byId.get(id);
    if (s === undefined) throw new TollgateError('TG_ERR_SCHEMA', `no schema with id ${id}`);
    return s.schema;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the port is async
  async latest(subject: string): Promise<RegisteredSchema | undefined> {
    return [...this.byId.values()].filter((s) => s.subject === subject).pop();
  }
}

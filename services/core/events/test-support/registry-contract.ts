import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import type { SchemaRegistry } from '../registry/port.js';

/** A record schema `tollgate.T` with the given extra fields after a required `a: string`. */
export function recordSchema(extra: object[] = [], doc?: string): string {
  return JSON.stringify({ type: 'record', name: 'T', namespace: 'tollgate', ...(doc ? { doc } : {}), fields: [{ name: 'a', type: 'string' }, ...extra] });
}

async function codeOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (err) {
    if (!isTollgateError(err)) throw err;
    return err.code;
  }
}

/** Behaviour every SchemaRegistry adapter shares; each adapter's test runs it. */
export function runSchemaRegistryContract(name: string, open: () => Promise<SchemaRegistry>): void {
  describe(`SchemaRegistry contract: ${name}`, () => {
    it('gives the same schema the same id, whatever its formatting, and serves it back', async () => {
      const registry = await open();
      const id = await registry.register('s-value', recordSchema());
      expect(await registry.register('s-value', JSON.stringify(JSON.parse(recordSchema()), null, 2))).toBe(id);
      expect(JSON.parse(await registry.getById(id))).toEqual(JSON.parse(recordSchema()));
      expect(await registry.latest('s-value')).toMatchObject({ subject: 's-value', id, version: 1 });
    });

    it('adds a version for a compatible change and reports it as latest', async () => {
      const registry = await open();
      const v1 = await registry.register('t-value', recordSchema());
      const v2 = await registry.register('t-value', recordSchema([{ name: 'b', type: 'int', default: 0 }]));
      expect(v2).not.toBe(v1);
      const latest = await registry.latest('t-value');
      expect(latest).toMatchObject({ id: v2, version: 2 });
      expect(JSON.parse(latest?.schema ?? '')).toEqual(JSON.parse(recordSchema([{ name: 'b', type: 'int', default: 0 }])));
      expect(JSON.parse(await registry.getById(v1))).toEqual(JSON.parse(recordSchema()));
    });

    it('refuses a field added without a default, naming the field', async () => {
      const registry = await open();
      await registry.register('u-value', recordSchema());
      await expect(registry.register('u-value', recordSchema([{ name: 'b', type: 'int' }]))).rejects.toThrow(/not backward compatible.*\bb\b/);
      expect(await codeOf(() => registry.register('u-value', recordSchema([{ name: 'b', type: 'int' }])))).toBe('TG_ERR_SCHEMA');
      expect((await registry.latest('u-value'))?.version).toBe(1);
    });

    it('refuses a removed enum symbol when the enum has no default', async () => {
      const registry = await open();
      const e = (symbols: string[]): object => ({ name: 'e', type: { type: 'enum', name: 'E', symbols } });
      await registry.register('v-value', recordSchema([e(['X', 'Y'])]));
      expect(await codeOf(() => registry.register('v-value', recordSchema([e(['X'])])))).toBe('TG_ERR_SCHEMA');
    });

    it('checks every earlier version, not only the latest', async () => {
      const registry = await open();
      await registry.register('y-value', recordSchema([{ name: 'b', type: 'int' }]));
      await registry.register('y-value', recordSchema([{ name: 'b', type: 'int', default: 0 }]));
      // Dropping b suits version 2 (b has a default there) but not version 1, whose readers need b.
      await expect(registry.register('y-value', recordSchema())).rejects.toThrow(/compatible with version 1/);
    });

    it('refuses a schema that is not valid Avro', async () => {
      const registry = await open();
      expect(await codeOf(() => registry.register('w-value', '{"type":"record","name":"T","fields":[{"name":"a","type":"nope"}]}'))).toBe('TG_ERR_SCHEMA');
      expect(await codeOf(() => registry.register('w-value', 'not json'))).toBe('TG_ERR_SCHEMA');
    });

    it('answers undefined for an unknown subject and TG_ERR_SCHEMA for an unknown id', async () => {
      const registry = await open();
      expect(await registry.latest('nobody-value')).toBeUndefined();
      expect(await codeOf(() => registry.getById(2_000_000_001))).toBe('TG_ERR_SCHEMA');
    });

    it('keeps concurrent registrations consistent', async () => {
      const registry = await open();
      const schemas = [0, 1, 2, 3].map((n) => recordSchema([], `doc ${n}`));
      const ids = await Promise.all([...schemas, ...schemas].map((s) => registry.register('x-value', s)));
      expect(ids.slice(0, 4)).toEqual(ids.slice(4));
      expect(new Set(ids).size).toBe(4);
      expect((await registry.latest('x-value'))?.version).toBe(4);
    });
  });
}

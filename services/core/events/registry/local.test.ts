import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../../errors.js';
import { recordSchema, runSchemaRegistryContract } from '../test-support/registry-contract.js';
import { LocalSchemaRegistry } from './local.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'tg-registry-'));

runSchemaRegistryContract('local, in memory', () => Promise.resolve(LocalSchemaRegistry.memory()));
runSchemaRegistryContract('local, on disk', () => LocalSchemaRegistry.open(tempDir()));

describe('LocalSchemaRegistry', () => {
  it('keeps ids and versions across a restart', async () => {
    const dir = tempDir();
    const first = await LocalSchemaRegistry.open(dir);
    const v1 = await first.register('a-value', recordSchema());
    const v2 = await first.register('a-value', recordSchema([{ name: 'b', type: 'long', default: 0 }]));
    const again = await LocalSchemaRegistry.open(dir);
    expect(await again.latest('a-value')).toMatchObject({ id: v2, version: 2 });
    expect(await again.getById(v1)).toBe(JSON.stringify(JSON.parse(recordSchema())));
    expect(await again.register('a-value', recordSchema())).toBe(v1);
  });

  it('derives ids from the schema, so two data directories agree', async () => {
    const one = await LocalSchemaRegistry.open(tempDir());
    const two = LocalSchemaRegistry.memory();
    await two.register('other-value', recordSchema([], 'registered first elsewhere'));
    expect(await one.register('b-value', recordSchema())).toBe(await two.register('b-value', recordSchema()));
  });

  it('gives one schema one id across subjects, as Confluent does', async () => {
    const registry = LocalSchemaRegistry.memory();
    expect(await registry.register('c-value', recordSchema())).toBe(await registry.register('d-value', recordSchema()));
  });

  it('checks forward compatibility too: a reader still on the old version must read new data', async () => {
    const registry = LocalSchemaRegistry.memory();
    await registry.register('e-value', recordSchema([{ name: 'b', type: 'int' }]));
    await expect(registry.register('e-value', recordSchema())).rejects.toThrow(/not forward compatible with version 1/);
  });

  it('sees schemas another process registered in the same folder', async () => {
    const dir = tempDir();
    const reader = await LocalSchemaRegistry.open(dir);
    const writer = await LocalSchemaRegistry.open(dir);
    const id = await writer.register('f-value', recordSchema());
    expect(await reader.getById(id)).toContain('"name":"T"');
  });

  it('loses no registration when two instances on one folder register at once', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([LocalSchemaRegistry.open(dir), LocalSchemaRegistry.open(dir)]);
    const ids = await Promise.all([0, 1, 2, 3].map((n) => (n % 2 === 0 ? a : b).register(`h${n}-value`, recordSchema([], `doc ${n}`))));
    const reopened = await LocalSchemaRegistry.open(dir);
    for (const [n, id] of ids.entries()) expect(await reopened.latest(`h${n}-value`)).toMatchObject({ id, version: 1 });
  });

  it('replaces its file atomically and leaves no temporary file behind', async () => {
    const dir = tempDir();
    const registry = await LocalSchemaRegistry.open(dir);
    await Promise.all([0, 1, 2].map((n) => registry.register(`g${n}-value`, recordSchema())));
    expect(readdirSync(dir)).toEqual(['schema-registry.json']);
    expect(JSON.parse(readFileSync(join(dir, 'schema-registry.json'), 'utf8'))).toMatchObject({ format: 'tollgate-schema-registry/1' });
  });

  it('refuses a corrupt registry file with a clear error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'schema-registry.json'), '{"format":"something else"}');
    await expect(LocalSchemaRegistry.open(dir)).rejects.toSatisfy((err) => isTollgateError(err, 'TG_ERR_SCHEMA_REGISTRY'));
    writeFileSync(join(dir, 'schema-registry.json'), '{"trunc');
    await expect(LocalSchemaRegistry.open(dir)).rejects.toThrow(/not valid JSON/);
  });

  it('refuses subject names that could escape a URL path or a file', async () => {
    const registry = LocalSchemaRegistry.memory();
    for (const subject of ['', '../x', 'a/b', 'x'.repeat(300)]) {
      await expect(registry.register(subject, recordSchema())).rejects.toSatisfy((err) => isTollgateError(err, 'TG_ERR_SCHEMA'));
    }
  });
});

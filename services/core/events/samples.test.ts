import { describe, expect, it } from 'vitest';
import { EventCodec } from './codec.js';
import { readSchemaId } from './framing.js';
import { LocalSchemaRegistry } from './registry/local.js';
import { findSchemasDir } from './schema-files.js';
import { loadEventSchemas } from './schemas.js';
import { FrameBodyKinds } from './types.js';
import { readSamples, schemaHistory } from './test-support/history.js';

const dir = findSchemasDir();
const current = loadEventSchemas(dir);

/** Every field the sample was written with reads back equal; fields added later may be present too. */
function expectContains(actual: unknown, expected: unknown, path: string): void {
  if (Buffer.isBuffer(expected)) {
    expect(Buffer.isBuffer(actual) && actual.equals(expected), `${path} bytes`).toBe(true);
  } else if (Array.isArray(expected)) {
    expect(actual, path).toEqual(expected);
  } else if (expected !== null && typeof expected === 'object') {
    expect(typeof actual, path).toBe('object');
    for (const [key, value] of Object.entries(expected)) expectContains((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else {
    expect(actual, path).toBe(expected);
  }
}

describe.each(['Frame', 'Alert'] as const)('stored %s samples of every frozen schema version', (name) => {
  const history = schemaHistory(dir, name);
  const loaded = name === 'Frame' ? current.frame : current.alert;

  it('has a frozen snapshot of the current schema: a changed .avsc needs a new history version and samples', () => {
    expect(history.length).toBeGreaterThan(0);
    expect(JSON.parse(history.at(-1)!.schema.text), `schemas/history/${name}.v${history.at(-1)!.version}.avsc`).toEqual(loaded.json);
  });

  it.each(history.map((h) => [h.version, h] as const))('reads every sample of version %i with the current reader schema', async (_version, version) => {
    const samples = readSamples(version.samplesDir);
    expect(samples.length, version.samplesDir).toBeGreaterThan(0);
    // Registering every frozen version first reproduces the log's history; ids derive from the
    // schema, so the ids in the stored headers come back the same.
    const registry = LocalSchemaRegistry.memory();
    for (const h of history) await registry.register(h.schema.subject, h.schema.text);
    const versionId = await registry.register(version.schema.subject, version.schema.text);
    const codec = await EventCodec.create(registry, current);
    await codec.loadWriterSchemas(samples.map((s) => s.bytes), name === 'Frame' ? 'frames' : 'alerts');
    for (const sample of samples) {
      expect(readSchemaId(sample.bytes), sample.name).toBe(versionId);
      const value = name === 'Frame' ? codec.decodeFrame(sample.bytes) : codec.decodeAlert(sample.bytes);
      expectContains(value, sample.expected, sample.name);
    }
    if (name === 'Frame') {
      const kinds = new Set(samples.map((s) => (s.expected as { body: { kind: string } }).body.kind));
      expect([...kinds].sort()).toEqual([...FrameBodyKinds].sort());
    }
  });
});

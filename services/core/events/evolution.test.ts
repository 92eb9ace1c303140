import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTollgateError } from '../errors.js';
import { decisionBody, wireBody } from './bodies.js';
import { EventCodec } from './codec.js';
import { LocalSchemaRegistry } from './registry/local.js';
import { findSchemasDir } from './schema-files.js';
import { loadEventSchemas, loadedSchema } from './schemas.js';
import type { EventSchemas } from './schemas.js';
import { frameWith } from './test-support/fixtures.js';
import { readSamples, schemaHistory } from './test-support/history.js';
import type { Frame } from './types.js';

const dir = findSchemasDir();
const v1 = loadEventSchemas(dir);
const v1Samples = readSamples(schemaHistory(dir, 'Frame').find((h) => h.version === 1)!.samplesDir);

type Json = Record<string, unknown> & { fields: Record<string, unknown>[]; symbols: string[]; type: unknown };

/** A v2 of Frame made by editing v1's JSON the way the evolution rules allow (or, with `bad`, do not). */
function frameV2(edit: (frame: Json, find: (name: string) => Json) => void): EventSchemas {
  const json = structuredClone(v1.frame.json) as Json;
  const find = (name: string): Json => {
    let hit: Json | undefined;
    const walk = (node: unknown): void => {
      if (hit !== undefined || node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach(walk);
      const obj = node as Json;
      if (obj['name'] === name && (obj.type === 'record' || obj.type === 'enum')) hit = obj;
      else Object.values(obj).forEach(walk);
    };
    walk(json);
    if (hit === undefined) throw new Error(`no ${name} in Frame`);
    return hit;
  };
  edit(json, find);
  return { ...v1, frame: loadedSchema('tollgate.Frame', v1.frame.subject, json) };
}

/** v2: a defaulted field on Frame (after body) and on Wire, and a new Protocol symbol. */
const v2 = frameV2((frame, find) => {
  frame.fields.push({ name: 'region', type: 'string', default: 'eu-1' });
  find('Wire').fields.push({ name: 'compressed', type: 'boolean', default: false });
  find('Protocol').symbols.push('REDIS');
});

async function codecs(): Promise<{ reader1: EventCodec; writer2: EventCodec; reader2: EventCodec }> {
  const registry = LocalSchemaRegistry.memory();
  const reader1 = await EventCodec.create(registry, v1);
  const writer2 = await EventCodec.create(registry, v2);
  return { reader1, writer2, reader2: writer2 };
}

describe('schema evolution', () => {
  it('a v2 reader with added defaulted fields reads the stored v1 samples, filling the defaults', async () => {
    const { reader2 } = await codecs();
    await reader2.loadWriterSchemas(v1Samples.map((s) => s.bytes));
    for (const sample of v1Samples) {
      const frame = reader2.decodeFrame(sample.bytes) as Frame & { region?: string };
      const expected = sample.expected as Frame;
      expect(frame.region, sample.name).toBe('eu-1');
      expect(frame.seq).toBe(expected.seq);
      expect(frame.body.kind).toBe(expected.body.kind);
      if (frame.body.kind === 'Wire') expect((frame.body as { compressed?: boolean }).compressed).toBe(false);
    }
  });

  it('a v1 reader reads v2 data: new fields are skipped, a new enum symbol reads as UNKNOWN', async () => {
    const { reader1, writer2 } = await codecs();
    const written = { ...frameWith(wireBody(Buffer.from('PING'))), protocol: 'REDIS', region: 'us-2' } as unknown as Frame;
    (written.body as unknown as { compressed: boolean }).compressed = true;
    const value = writer2.encodeFrame(written);
    expect(value.readInt32BE(1)).not.toBe(reader1.frameSchemaId);
    await reader1.loadWriterSchemas([value]);
    const read = reader1.decodeFrame(value);
    expect(read.protocol).toBe('UNKNOWN');
    expect(read).not.toHaveProperty('region');
    expect(read.body).toEqual(wireBody(Buffer.from('PING')));
  });

  it('answers corrupt data from another schema version with TG_ERR_DECODE, never another error', async () => {
    const { reader1, writer2 } = await codecs();
    const good = writer2.encodeFrame(frameWith(decisionBody('MASK', { details: { a: 'b', c: 'd' } }))); // region: its default
    await reader1.loadWriterSchemas([good]);
    fc.assert(
      fc.property(fc.nat(good.length - 6), fc.uint8Array({ minLength: 1, maxLength: 8 }), (at, bytes) => {
        const bad = Buffer.from(good);
        bad.set(bytes.subarray(0, bad.length - 5 - at), 5 + at);
        try {
          reader1.decodeFrame(bad);
        } catch (err) {
          expect(isTollgateError(err, 'TG_ERR_DECODE'), String(err)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the registry refuses a version that adds a field without a default', async () => {
    const registry = LocalSchemaRegistry.memory();
    await EventCodec.create(registry, v1);
    const bad = frameV2((frame) => frame.fields.push({ name: 'region', type: 'string' }));
    const err: unknown = await EventCodec.create(registry, bad).catch((e: unknown) => e);
    expect(isTollgateError(err, 'TG_ERR_SCHEMA')).toBe(true);
    expect((err as Error).message).toMatch(/not backward compatible with version 1.*region/);
  });

  it('the registry refuses a renamed field without an alias, and takes it with one', async () => {
    const registry = LocalSchemaRegistry.memory();
    await EventCodec.create(registry, v1);
    const renamed = (aliases: boolean): EventSchemas =>
      frameV2((frame) => {
        const field = frame.fields.find((f) => f['name'] === 'eventType')!;
        field['name'] = 'eventName';
        if (aliases) field['aliases'] = ['eventType'];
      });
    await expect(EventCodec.create(registry, renamed(false))).rejects.toThrow(/not backward compatible/);
    // With an alias, new readers read old data; old readers still need eventType, so forward fails.
    await expect(EventCodec.create(registry, renamed(true))).rejects.toThrow(/not forward compatible/);
  });
});

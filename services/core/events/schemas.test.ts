import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileSchema } from './compile.js';
import { findSchemasDir, inlineSchema, readNamedTypes, readSchemaFile } from './schema-files.js';
import type { SchemaJson } from './schema-files.js';
import { Subjects, loadEventSchemas } from './schemas.js';

describe('schema loading', () => {
  it('finds schemas/ from the source tree and from a dist/ build of it', () => {
    const dir = findSchemasDir();
    expect(readdirSync(dir)).toContain('Frame.avsc');
    const fromDist = pathToFileURL(join(dir, '..', 'dist', 'services', 'core', 'events', 'schemas.js')).href;
    expect(findSchemasDir(fromDist)).toBe(dir);
  });

  it('says where it looked when there is no schemas folder', () => {
    expect(() => findSchemasDir(join(tmpdir(), 'nowhere', 'x.js'))).toThrow(/no schemas\/Frame.avsc found above/);
  });

  it('compiles every .avsc file with the named types it references', () => {
    const dir = findSchemasDir();
    const named = readNamedTypes(dir);
    expect([...named.keys()]).toEqual(expect.arrayContaining(['tollgate.Protocol', 'tollgate.Identity', 'tollgate.Wire', 'tollgate.Decision']));
    for (const json of named.values()) expect(() => compileSchema(inlineSchema(json, named))).not.toThrow();
  });

  it('inlines each named type once, keeping enum defaults, docs and logical types', () => {
    const { frame } = loadEventSchemas();
    expect(frame.text.match(/"name":"Protocol"/g)).toHaveLength(1); // Frame.protocol and Target.protocol share it
    expect(frame.text).toContain('"default":"UNKNOWN"');
    expect(frame.text).toContain('"logicalType":"timestamp-micros"');
    expect(frame.text).toContain('"doc":');
    // The self-contained text compiles on its own, with no shared registry: what a registry client sees.
    expect(avro.Type.forSchema(JSON.parse(frame.text) as avro.Schema).name).toBe('tollgate.Frame');
  });

  it('names subjects after topics (TopicNameStrategy)', () => {
    expect(Subjects).toEqual({ frames: 'tollgate.frames.v1-value', alerts: 'tollgate.alerts.v1-value' });
    expect(loadEventSchemas().frame.subject).toBe(Subjects.frames);
  });

  it('reports a broken or incomplete schema folder clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-schemas-'));
    mkdirSync(join(dir, 'types'));
    mkdirSync(join(dir, 'events'));
    writeFileSync(join(dir, 'Frame.avsc'), '{"type":"record","name":"Frame","fields":[{"name":"a","type":"tollgate.Missing"}]}');
    writeFileSync(join(dir, 'Alert.avsc'), '{ not json');
    expect(() => loadEventSchemas(dir)).toThrow(/undefined Avro type name tollgate.Missing/);
    expect(() => readSchemaFile(join(dir, 'Alert.avsc'))).toThrow(/cannot read Avro schema .*Alert.avsc/);
  });

  it('resolves unqualified names in the enclosing namespace', () => {
    const named = new Map<string, SchemaJson>([['ns.E', { type: 'enum', name: 'E', namespace: 'ns', symbols: ['A'] }]]);
    const out = inlineSchema({ type: 'record', name: 'R', namespace: 'ns', fields: [{ name: 'e', type: 'E' }, { name: 'f', type: 'ns.E' }] }, named);
    expect(JSON.stringify(out)).toBe('{"type":"record","name":"R","namespace":"ns","fields":[{"name":"e","type":{"type":"enum","name":"E","namespace":"ns","symbols":["A"]}},{"name":"f","type":"ns.E"}]}');
  });
});

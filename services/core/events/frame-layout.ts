import avro from 'avsc';
import type { Type, types } from 'avsc';
import { TollgateError } from '../errors.js';
import type { SchemaJson } from './schema-files.js';
import { FrameBodyKinds } from './types.js';
import type { Frame, FrameBody, FrameBodyKind } from './types.js';

/**
 * Writes a Frame without building avsc's wrapped-union form ({ "tollgate.Wire": {...} }), which
 * would cost two objects per frame on the gateway's hot path. An Avro record is its fields' encodings
 * back to back and a union is a zigzag branch index followed by the branch, so the frame is written
 * as: fields before body, index byte, body with its branch type, fields after body. The bytes are
 * identical to avsc's own encoding of the wrapped form (frame-layout.test.ts checks that).
 */
export class FrameLayout {
  private readonly head: Type;
  private readonly tail: Type | undefined;
  private readonly branches: ReadonlyMap<FrameBodyKind, { index: number; type: Type }>;
  /** Qualified branch name per kind, to unwrap what avsc decodes. */
  private readonly branchNames: readonly (readonly [FrameBodyKind, string])[];

  /** json: the schema frameType was compiled from, for field defaults (avsc keeps them only in JS form). */
  constructor(frameType: Type, json: SchemaJson) {
    const fields = (frameType as types.RecordType).fields;
    const defaults = new Map<string, unknown>();
    const jsonFields = (json as { fields?: { name: string; default?: unknown }[] }).fields ?? [];
    for (const f of jsonFields) if ('default' in f) defaults.set(f.name, f.default);
    const at = fields.findIndex((f) => f.name === 'body');
    const union = fields[at]?.type as (Type & { types?: Type[] }) | undefined;
    if (union?.types === undefined) throw new TollgateError('TG_ERR_SCHEMA', 'tollgate.Frame has no union field named body');
    const record = (name: string, part: readonly types.Field[]): Type | undefined =>
      part.length === 0
        ? undefined
        : avro.Type.forSchema({
            type: 'record',
            name,
            // Defaults matter on write too: avsc writes a field's default when the value lacks it.
            fields: part.map((f) => (defaults.has(f.name) ? { name: f.name, type: f.type, default: defaults.get(f.name) } : { name: f.name, type: f.type })),
          });
    this.head = record('FrameHead', fields.slice(0, at)) ?? avro.Type.forSchema({ type: 'record', name: 'FrameHead', fields: [] });
    this.tail = record('FrameTail', fields.slice(at + 1));
    const branches = new Map<FrameBodyKind, { index: number; type: Type }>();
    const names: [FrameBodyKind, string][] = [];
    for (const kind of FrameBodyKinds) {
      const index = union.types.findIndex((t) => t.name === `tollgate.${kind}`);
      const type = union.types[index];
      if (type === undefined || index > 63) throw new TollgateError('TG_ERR_SCHEMA', `Frame.body has no branch tollgate.${kind}`);
      branches.set(kind, { index, type });
      names.push([kind, `tollgate.${kind}`]);
    }
    this.branches = branches;
    this.branchNames = names;
  }

  /**
   * Encodes frame into buf from pos. Returns the end offset, or -1 when buf is too small (the
   * caller retries with a larger buffer). Throws avsc's error on a value that breaks the schema.
   */
  write(frame: Frame, buf: Buffer, pos: number): number {
    const branch = this.branches.get(frame.body.kind);
    if (branch === undefined) {
      throw new TollgateError('TG_ERR_SCHEMA', `frame body kind ${String((frame.body as { kind?: unknown }).kind)} is not one of ${FrameBodyKinds.join(', ')}`);
    }
    let end = this.head.encode(frame, buf, pos);
    if (end < 0 || end >= buf.length) return -1;
    buf[end] = branch.index << 1; // zigzag of a small non-negative long is one byte
    end = branch.type.encode(frame.body, buf, end + 1);
    if (end < 0) return -1;
    if (this.tail !== undefined) {
      end = this.tail.encode(frame, buf, end);
      if (end < 0) return -1;
    }
    return end;
  }

  /** Turns the wrapped body avsc decoded into the tagged form, in place. */
  unwrap(frame: { body: unknown }): Frame {
    const wrapped = frame.body as Record<string, FrameBody | undefined>;
    for (const [kind, name] of this.branchNames) {
      const body = wrapped[name];
      if (body !== undefined) {
        body.kind = kind;
        frame.body = body;
        return frame as Frame;
      }
    }
    throw new TollgateError('TG_ERR_DECODE', 'frame body is none of the known branches');
  }

  /** The wrapped form avsc expects, for validation messages and tests. */
  wrap(frame: Frame): Record<string, unknown> {
    const { kind, ...body } = frame.body;
    return { ...frame, body: { [`tollgate.${kind}`]: body } };
  }
}

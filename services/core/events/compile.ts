import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { TollgateError } from '../errors.js';
import type { SchemaJson } from './schema-files.js';

/** The slice of avsc's internal cursor that the guards below read. */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
}

interface CollectionReader {
  itemsType?: { _read(tap: Tap): unknown };
  valuesType?: { _read(tap: Tap): unknown };
}

/**
 * avsc trusts the item count at the head of an array or map block: garbage announcing 2^31 items
 * makes it loop 2^31 times past the end of a ten-byte buffer. Every array and map in tollgate's
 * schemas holds strings, so each item takes at least one byte and a count above the bytes left is
 * corrupt. These subclasses check that, for plain reads and for resolvers alike (avsc gives a
 * resolver the reader type's _read, called with the resolver as `this`).
 */
class BoundedArrayType extends avro.types.ArrayType {
  _read(this: CollectionReader, tap: Tap): unknown[] {
    const items = this.itemsType;
    const out: unknown[] = [];
    let n: number;
    while ((n = readBlockCount(tap)) !== 0) {
      while (n-- > 0) out.push(items?._read(tap));
    }
    return out;
  }
}

class BoundedMapType extends avro.types.MapType {
  _read(this: CollectionReader, tap: Tap): Record<string, unknown> {
    const values = this.valuesType;
    const out: Record<string, unknown> = {};
    let n: number;
    while ((n = readBlockCount(tap)) !== 0) {
      while (n-- > 0) {
        const key = readKey(tap);
        out[key] = values?._read(tap);
      }
    }
    return out;
  }
}

function readBlockCount(tap: Tap): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.readLong(); // block size in bytes, present when the count is negative
  }
  if (!Number.isSafeInteger(n) || n > tap.buf.length - tap.pos) {
    throw new Error(`collection block announces ${n} items with ${tap.buf.length - tap.pos} bytes left`);
  }
  return n;
}

function readKey(tap: Tap): string {
  const len = tap.readLong();
  if (len < 0 || tap.pos + len > tap.buf.length) throw new Error('map key runs past the end of the buffer');
  const key = tap.buf.toString('utf8', tap.pos, tap.pos + len);
  tap.pos += len;
  return key;
}

function boundedCollections(schema: Schema, opts: object): Type | undefined {
  if (typeof schema !== 'object' || Array.isArray(schema) || avro.Type.isType(schema)) return undefined;
  const kind = (schema as { type?: unknown }).type;
  if (kind === 'array') return new BoundedArrayType(schema, opts);
  if (kind === 'map') return new BoundedMapType(schema, opts);
  return undefined;
}

/** Compiles a self-contained schema with tollgate's reading guards. */
export function compileSchema(schema: SchemaJson, what = 'schema'): Type {
  try {
    return avro.Type.forSchema(schema as Schema, { typeHook: boundedCollections, wrapUnions: 'auto' });
  } catch (err) {
    throw new TollgateError('TG_ERR_SCHEMA', `${what} is not a valid Avro schema: ${(err as Error).message}`, { cause: err });
  }
}

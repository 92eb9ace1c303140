import type { Type } from 'avsc';
import { TollgateError, isTollgateError } from '../errors.js';
import { FrameLayout } from './frame-layout.js';
import { HEADER_LENGTH, assertSchemaId, readSchemaId, writeHeader } from './framing.js';
import type { SchemaRegistry } from './registry/port.js';
import { compileSchemaText, loadEventSchemas } from './schemas.js';
import type { EventSchemas, LoadedSchema } from './schemas.js';
import type { Alert, Frame } from './types.js';
import { WireFrames } from './wire-frames.js';

type Resolver = ReturnType<Type['createResolver']>;

/** Largest value the codec decodes; a frame's payload is capped far below this by the gateway. */
const MAX_EVENT_BYTES = 64 * 1024 * 1024;

/**
 * Cap on the learned size guess beyond the payload. One large SessionStart must not make every later
 * frame allocate (and, as a view, retain) a large buffer; bigger values take a retry instead.
 */
const MAX_OVERHEAD_GUESS = 1024;

/**
 * Reads and writes one top-level schema in Confluent framing. Values written with the current
 * schema are decoded directly; values from another registered version go through a resolver into
 * the current reader schema, built once per writer id.
 */
class SchemaChannel<T> {
  /** Writer id -> resolver (null: the writer is the reader), or why that writer cannot be read. */
  private readonly readers = new Map<number, Resolver | null | TollgateError>();
  /** Bytes beyond the payload that an encoded value needed at most so far: the next size guess. */
  overhead = 128;

  constructor(
    readonly schema: LoadedSchema,
    readonly id: number,
    /** Writes value's Avro body into buf from pos; returns the end, or a negative number when short of room. */
    private readonly write: (value: T, buf: Buffer, pos: number) => number,
    /** The value as avsc's isValid expects it, to name what broke the schema. */
    private readonly checkable: (value: T) => unknown,
  ) {
    assertSchemaId(id);
    this.readers.set(id, null);
  }

  knows(id: number): boolean {
    return this.readers.has(id);
  }

  /** Builds the resolver for a writer schema; a writer that cannot be read is remembered as such. */
  learn(id: number, writerText: string): void {
    try {
      const writer = compileSchemaText(writerText, `schema id ${id}`);
      this.readers.set(id, this.schema.type.createResolver(writer));
    } catch (err) {
      this.unreadable(id, `schema id ${id} cannot be read as ${this.schema.name}: ${(err as Error).message}`, err);
    }
  }

  unreadable(id: number, message: string, cause: unknown): void {
    this.readers.set(id, new TollgateError('TG_ERR_SCHEMA', message, { cause, context: { schemaId: id, subject: this.schema.subject } }));
  }

  decode(value: Buffer): unknown {
    const id = readSchemaId(value);
    const resolver = this.readers.get(id);
    if (resolver === undefined) {
      throw new TollgateError('TG_ERR_SCHEMA', `schema id ${id} is not loaded for ${this.schema.subject}: call loadWriterSchemas() first`, {
        context: { schemaId: id, subject: this.schema.subject },
      });
    }
    if (resolver instanceof TollgateError) throw resolver;
    if (value.length > MAX_EVENT_BYTES) {
      throw new TollgateError('TG_ERR_DECODE', `${this.schema.name} event of ${value.length} bytes exceeds ${MAX_EVENT_BYTES}`);
    }
    let result: { value: unknown; offset: number };
    try {
      result = this.schema.type.decode(value, HEADER_LENGTH, resolver ?? undefined);
    } catch (err) {
      throw new TollgateError('TG_ERR_DECODE', `${this.schema.name} body (schema id ${id}) is corrupt: ${(err as Error).message}`, {
        cause: err,
        context: { schemaId: id, length: value.length },
      });
    }
    if (result.offset < 0) {
      throw new TollgateError('TG_ERR_DECODE', `${this.schema.name} body (schema id ${id}) is truncated: ${value.length} bytes`, {
        context: { schemaId: id, length: value.length },
      });
    }
    if (result.offset !== value.length) {
      throw new TollgateError('TG_ERR_DECODE', `${this.schema.name} body (schema id ${id}) has ${value.length - result.offset} bytes after its end`, {
        context: { schemaId: id, length: value.length },
      });
    }
    return result.value;
  }

  /** Allocates one buffer for header and body, retrying larger when the guess was short. */
  encode(value: T, payloadLength: number): Buffer {
    let size = Math.min(HEADER_LENGTH + this.overhead + payloadLength, MAX_EVENT_BYTES);
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      let end: number;
      try {
        end = this.write(value, buf, HEADER_LENGTH);
      } catch (err) {
        if (isTollgateError(err)) throw err;
        const problems = describeInvalid(this.schema.type, this.checkable(value)) ?? (err as Error).message;
        throw new TollgateError('TG_ERR_SCHEMA', `${this.schema.name} does not match its schema: ${problems}`, { cause: err });
      }
      if (end > 0) {
        writeHeader(buf, this.id);
        const needed = end - payloadLength;
        if (needed > this.overhead) this.overhead = Math.min(needed + (needed >> 2), MAX_OVERHEAD_GUESS);
        // A view keeps its whole backing store alive: past a little slack, copy out the exact bytes.
        return size - end > MAX_OVERHEAD_GUESS ? Buffer.from(buf.subarray(0, end)) : buf.subarray(0, end);
      }
      if (size >= MAX_EVENT_BYTES) {
        throw new TollgateError('TG_ERR_MESSAGE_TOO_LARGE', `${this.schema.name} encodes to more than ${MAX_EVENT_BYTES} bytes; truncate the payload first`);
      }
      size = Math.min(size * 2, MAX_EVENT_BYTES);
    }
  }
}

/**
 * Encodes and decodes tollgate's events (frames and alerts) in Confluent framing, against schema
 * ids obtained from a SchemaRegistry at creation. Encoding and decoding are synchronous; writer
 * schemas of other versions are fetched ahead with loadWriterSchemas().
 */
export class EventCodec {
  private readonly frames: SchemaChannel<Frame>;
  private readonly alerts: SchemaChannel<Alert>;
  private readonly layout: FrameLayout;
  /** Wire frames with their constant parts encoded once (the gateways' hot path); undefined if the schema does not fit it. */
  readonly wireFrames: WireFrames | undefined;

  private constructor(
    private readonly registry: SchemaRegistry,
    readonly schemas: EventSchemas,
    frameId: number,
    alertId: number,
  ) {
    const layout = new FrameLayout(schemas.frame.type, schemas.frame.json);
    const alertType = schemas.alert.type;
    this.layout = layout;
    this.frames = new SchemaChannel<Frame>(schemas.frame, frameId, (f, buf, pos) => layout.write(f, buf, pos), (f) => layout.wrap(f));
    this.alerts = new SchemaChannel<Alert>(schemas.alert, alertId, (a, buf, pos) => alertType.encode(a, buf, pos), (a) => a);
    this.wireFrames = WireFrames.forSchema(schemas.frame.type, frameId, (f) => this.encodeFrame(f));
  }

  /** Registers the current Frame and Alert schemas (a no-op when already registered) and builds a codec. */
  static async create(registry: SchemaRegistry, schemas: EventSchemas = loadEventSchemas()): Promise<EventCodec> {
    const frameId = await registry.register(schemas.frame.subject, schemas.frame.text);
    const alertId = await registry.register(schemas.alert.subject, schemas.alert.text);
    return new EventCodec(registry, schemas, frameId, alertId);
  }

  get frameSchemaId(): number {
    return this.frames.id;
  }

  get alertSchemaId(): number {
    return this.alerts.id;
  }

  /** Encodes a frame into a new buffer: header and Avro body, no intermediate copy. */
  encodeFrame(frame: Frame): Buffer {
    const body = frame.body;
    return this.frames.encode(frame, body.kind === 'Wire' && Buffer.isBuffer(body.payload) ? body.payload.length : 0);
  }

  /** Decodes a framed frame; TG_ERR_DECODE for corrupt bytes, TG_ERR_SCHEMA for an unloaded writer id. */
  decodeFrame(value: Buffer): Frame {
    return this.layout.unwrap(this.frames.decode(value) as { body: unknown });
  }

  /** Encodes an alert into a new buffer. */
  encodeAlert(alert: Alert): Buffer {
    return this.alerts.encode(alert, 0);
  }

  /** Decodes a framed alert. */
  decodeAlert(value: Buffer): Alert {
    return this.alerts.decode(value) as Alert;
  }

  /**
   * Fetches from the registry every writer schema these values name that the codec has not seen,
   * so the synchronous decoders can read them. Values that are not framed are left for the decoder
   * to report.
   */
  async loadWriterSchemas(values: Iterable<Buffer>, topic: 'frames' | 'alerts' = 'frames'): Promise<void> {
    const channel = topic === 'frames' ? this.frames : this.alerts;
    const missing = new Set<number>();
    for (const value of values) {
      let id: number;
      try {
        id = readSchemaId(value);
      } catch {
        continue;
      }
      if (!channel.knows(id)) missing.add(id);
    }
    for (const id of missing) {
      let text: string;
      try {
        text = await this.registry.getById(id);
      } catch (err) {
        // An id the registry does not know stays unknown; an unreachable registry is worth a retry.
        if (!isTollgateError(err, 'TG_ERR_SCHEMA')) throw err;
        channel.unreadable(id, `schema id ${id} is not in the schema registry: ${err.message}`, err);
        continue;
      }
      channel.learn(id, text);
    }
  }
}

/** Up to five `path = value` problems, or undefined when avsc's validator finds none. */
function describeInvalid(type: Type, value: unknown): string | undefined {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path, got) => {
      if (problems.length < 5) problems.push(`${path.join('.') || '(root)'} = ${inspectShort(got)}`);
    },
  });
  return problems.length === 0 ? undefined : problems.join('; ');
}

function inspectShort(value: unknown): string {
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

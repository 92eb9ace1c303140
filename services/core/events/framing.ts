import { TollgateError } from '../errors.js';

/**
 * Confluent wire format, so any Kafka tool with a schema registry can read tollgate's topics:
 *
 *   byte 0     magic, always 0
 *   bytes 1-4  schema id, big-endian int32, as assigned by the registry
 *   bytes 5-   Avro binary body, written with that schema
 */
export const MAGIC_BYTE = 0;
export const HEADER_LENGTH = 5;

/** Largest schema id: Confluent ids are positive signed 32-bit integers. */
export const MAX_SCHEMA_ID = 0x7fffffff;

/** Writes the five header bytes at the start of buf. */
export function writeHeader(buf: Buffer, schemaId: number): void {
  buf[0] = MAGIC_BYTE;
  buf.writeInt32BE(schemaId, 1);
}

/** The writer's schema id from a framed value; TG_ERR_DECODE when the value is not framed. */
export function readSchemaId(value: Uint8Array): number {
  if (value.length < HEADER_LENGTH) {
    throw new TollgateError('TG_ERR_DECODE', `event is ${value.length} bytes, shorter than the ${HEADER_LENGTH}-byte schema header`, {
      context: { length: value.length },
    });
  }
  if (value[0] !== MAGIC_BYTE) {
    throw new TollgateError('TG_ERR_DECODE', `event starts with byte ${value[0]}, not the Confluent magic byte 0: not a schema-registry framed Avro value`, {
      context: { firstByte: value[0] },
    });
  }
  const id = ((value[1]! << 24) | (value[2]! << 16) | (value[3]! << 8) | value[4]!) >>> 0;
  if (id === 0 || id > MAX_SCHEMA_ID) {
    throw new TollgateError('TG_ERR_SCHEMA', `event names schema id ${id}, which no registry assigns`, { context: { schemaId: id } });
  }
  return id;
}

/** Asserts an id fits the header. */
export function assertSchemaId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_SCHEMA_ID) {
    throw new TollgateError('TG_ERR_SCHEMA', `schema id ${id} does not fit the wire header (1..${MAX_SCHEMA_ID})`);
  }
}

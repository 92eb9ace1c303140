import * as zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, the zlib/gzip polynomial) of a byte range. */
export type Crc32 = (data: Uint8Array) => number;

type NativeCrc32 = (data: Uint8Array, value?: number) => number;

// zlib.crc32 arrived in Node 20.15 / 22.2; package.json allows 20.11, so older runtimes get the table.
const native = (zlib as { crc32?: NativeCrc32 }).crc32;

let table: Uint32Array | undefined;

function buildTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** Table-driven CRC-32, byte at a time; used only when the runtime has no zlib.crc32. */
export function crc32Table(data: Uint8Array): number {
  table ??= buildTable();
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** The fastest available CRC-32; both implementations give identical results. */
export const crc32: Crc32 = native ? (data) => native(data) >>> 0 : crc32Table;

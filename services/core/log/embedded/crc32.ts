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

/** Slicing-by-8 tables: table k maps a byte to its CRC contribution k bytes further on. */
let tables8: Int32Array | undefined;

function buildTables8(): Int32Array {
  const base = (table ??= buildTable());
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) t[n] = base[n] as number;
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/** Below this many bytes the JS loop beats the native call (which needs a subarray view first). */
const NATIVE_FROM_BYTES = 192;

/**
 * CRC-32 of buf[start, end) without a view: record frames are mostly a few hundred bytes, where
 * creating a subarray and crossing into zlib costs more than the checksum itself.
 */
export function crc32Range(buf: Uint8Array, start: number, end: number): number {
  if (end - start >= NATIVE_FROM_BYTES) return crc32(buf.subarray(start, end));
  const t = (tables8 ??= buildTables8());
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ ((buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24));
    c = (t[1792 + (a & 0xff)] as number) ^ (t[1536 + ((a >>> 8) & 0xff)] as number) ^
      (t[1280 + ((a >>> 16) & 0xff)] as number) ^ (t[1024 + (a >>> 24)] as number) ^
      (t[768 + (buf[i + 4] as number)] as number) ^ (t[512 + (buf[i + 5] as number)] as number) ^
      (t[256 + (buf[i + 6] as number)] as number) ^ (t[buf[i + 7] as number] as number);
  }
  for (; i < end; i++) c = (t[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

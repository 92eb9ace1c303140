/** Builds one SFTP packet: type, request id (-1 for INIT/VERSION), then uint32 / uint64 / string fields. */
export function sftpPacket(type: number, id: number, ...fields: Array<string | number | bigint | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from([type])];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  if (id >= 0) parts.push(u32(id));
  for (const f of fields) {
    if (typeof f === 'number') parts.push(u32(f));
    else if (typeof f === 'bigint') { const b = Buffer.alloc(8); b.writeBigUInt64BE(f); parts.push(b); }
    else { const b = typeof f === 'string' ? Buffer.from(f) : f; parts.push(u32(b.length), b); }
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(body.length), body]);
}


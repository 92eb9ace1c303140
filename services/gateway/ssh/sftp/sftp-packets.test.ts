import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sftpPacket as packet } from '../testing/sftp-packet.js';
import { decodePacket, SftpDecoder, SftpType, statusPacket } from './sftp-packets.js';


describe('SftpDecoder', () => {
  const stream = Buffer.concat([
    packet(SftpType.INIT, -1, 3),
    packet(SftpType.OPEN, 1, '/etc/passwd', 0x1, 0),
    packet(SftpType.WRITE, 2, Buffer.from('hh'), 0n, Buffer.alloc(100, 1)),
    packet(SftpType.RENAME, 3, '/a', '/b'),
    packet(SftpType.EXTENDED, 4, 'posix-rename@openssh.com', '/c', '/d'),
  ]);

  it('decodes request fields', () => {
    const p = new SftpDecoder(1 << 20).push(stream);
    expect(p.map((x) => x.op)).toEqual(['init', 'open', 'write', 'rename', 'extended']);
    expect(p[1]).toMatchObject({ id: 1, path: '/etc/passwd', pflags: 1 });
    expect(p[2]).toMatchObject({ id: 2, handle: Buffer.from('hh').toString('hex'), length: 100 });
    expect(p[3]).toMatchObject({ path: '/a', path2: '/b' });
    expect(p[4]).toMatchObject({ extension: 'posix-rename@openssh.com', path: '/c', path2: '/d' });
  });

  it('returns the same packets however the stream is split', () => {
    const whole = new SftpDecoder(1 << 20).push(stream).map((x) => x.raw.toString('hex'));
    for (let cut = 1; cut < stream.length; cut++) {
      const d = new SftpDecoder(1 << 20);
      const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))].map((x) => x.raw.toString('hex'));
      expect(got, `cut at ${cut}`).toEqual(whole);
      expect(d.pending).toBe(0);
    }
  });

  it('holds a truncated packet and refuses an oversized one', () => {
    const d = new SftpDecoder(64);
    expect(d.push(packet(SftpType.STAT, 1, '/x').subarray(0, 7))).toEqual([]);
    expect(d.pending).toBe(7);
    expect(() => new SftpDecoder(64).push(packet(SftpType.STAT, 1, 'x'.repeat(100)))).toThrow(/exceeds/);
    expect(() => new SftpDecoder(64).push(Buffer.from([0, 0, 0, 0, 1]))).toThrow();
  });

  it('leaves out fields a malformed packet does not carry', () => {
    const short = Buffer.from([0, 0, 0, 9, SftpType.OPEN, 0, 0, 0, 1, 0, 0, 0, 200]);
    const p = decodePacket(short);
    expect(p).toMatchObject({ op: 'open', id: 1 });
    expect(p.path).toBeUndefined();
  });

  it('builds a STATUS reply the decoder reads back', () => {
    const p = decodePacket(statusPacket(7, 3, 'no'));
    expect(p).toMatchObject({ type: SftpType.STATUS, id: 7, status: 3 });
  });
});

describe('SftpDecoder: garbage', () => {
  it('never throws anything but a length error, whatever the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        for (const p of new SftpDecoder(256).push(Buffer.from(bytes))) expect(p.raw.length).toBeGreaterThanOrEqual(5);
      } catch (err) {
        expect(String(err)).toMatch(/exceeds the limit|zero length/);
      }
    }), { numRuns: 500 });
  });
});

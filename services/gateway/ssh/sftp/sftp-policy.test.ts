import { describe, expect, it } from 'vitest';
import { decodePacket, OpenFlags, SftpType } from './sftp-packets.js';
import { sftpPacket as packet } from '../testing/sftp-packet.js';
import { SftpPolicy } from './sftp-policy.js';

const req = (type: number, id: number, ...f: Array<string | number | bigint | Buffer>) => decodePacket(packet(type, id, ...f));

describe('SftpPolicy', () => {
  it('records each file once opened and once closed with its byte counts', () => {
    const p = new SftpPolicy('allow');
    expect(p.onRequest(req(SftpType.OPEN, 1, '/data.csv', OpenFlags.READ, 0)).forward).toBe(true);
    expect(p.onReply(req(SftpType.HANDLE, 1, Buffer.from('h1')))).toMatchObject({ op: 'open', path: '/data.csv' });
    p.onRequest(req(SftpType.READ, 2, Buffer.from('h1'), 0n, 32768));
    p.onReply(req(SftpType.DATA, 2, Buffer.alloc(1000)));
    p.onRequest(req(SftpType.WRITE, 3, Buffer.from('h1'), 0n, Buffer.alloc(10)));
    p.onRequest(req(SftpType.CLOSE, 4, Buffer.from('h1')));
    expect(p.onReply(req(SftpType.STATUS, 4, 0, '', ''))).toEqual({ op: 'close', path: '/data.csv', bytesRead: 1000, bytesWritten: 10, allowed: true });
  });

  it('read-only refuses writes, creates, deletes, renames and attribute changes with PERMISSION_DENIED', () => {
    const p = new SftpPolicy('read-only');
    for (const r of [
      req(SftpType.OPEN, 1, '/x', OpenFlags.WRITE | OpenFlags.CREAT, 0),
      req(SftpType.OPEN, 2, '/x', OpenFlags.READ | OpenFlags.APPEND, 0),
      req(SftpType.REMOVE, 3, '/x'), req(SftpType.RENAME, 4, '/x', '/y'), req(SftpType.MKDIR, 5, '/d', 0),
      req(SftpType.SETSTAT, 6, '/x', 0), req(SftpType.SYMLINK, 7, '/l', '/t'), req(SftpType.EXTENDED, 8, 'hardlink@openssh.com', '/a', '/b'),
    ]) {
      const v = p.onRequest(r);
      expect(v.forward, r.op).toBe(false);
      if (!v.forward) expect(decodePacket(v.reply)).toMatchObject({ type: SftpType.STATUS, id: r.id, status: 3 });
    }
    expect(p.onRequest(req(SftpType.OPEN, 9, '/x', OpenFlags.READ, 0)).forward).toBe(true);
    expect(p.onRequest(req(SftpType.EXTENDED, 10, 'statvfs@openssh.com', '/')).forward).toBe(true);
  });

  it('no-delete allows uploads but not removal or renames', () => {
    const p = new SftpPolicy('no-delete');
    expect(p.onRequest(req(SftpType.OPEN, 1, '/new', OpenFlags.WRITE | OpenFlags.CREAT | OpenFlags.TRUNC, 0)).forward).toBe(true);
    expect(p.onRequest(req(SftpType.REMOVE, 2, '/x')).forward).toBe(false);
    expect(p.onRequest(req(SftpType.RMDIR, 3, '/d')).forward).toBe(false);
    expect(p.onRequest(req(SftpType.EXTENDED, 4, 'posix-rename@openssh.com', '/a', '/b')).forward).toBe(false);
  });

  it('deny refuses everything, INIT included', () => {
    expect(new SftpPolicy('deny').onRequest(req(SftpType.STAT, 1, '/')).forward).toBe(false);
  });
});

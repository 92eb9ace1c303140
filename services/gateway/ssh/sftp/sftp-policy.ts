import type { SftpMode } from '../guardrails/compile.js';
import { FX_PERMISSION_DENIED, OpenFlags, SftpType, statusPacket, type SftpPacket } from './sftp-packets.js';

/** One file operation as recorded: what, where, how many bytes, and whether it was allowed. */
export interface SftpOperation {
  op: string;
  path: string;
  path2?: string;
  bytesRead: number;
  bytesWritten: number;
  allowed: boolean;
  reason?: string;
}

export type SftpClientVerdict =
  | { forward: true; record: SftpOperation | undefined }
  | { forward: false; reply: Buffer; record: SftpOperation };

const WRITE_FLAGS = OpenFlags.WRITE | OpenFlags.APPEND | OpenFlags.CREAT | OpenFlags.TRUNC;
const MUTATING = new Set<number>([SftpType.WRITE, SftpType.SETSTAT, SftpType.FSETSTAT, SftpType.REMOVE, SftpType.MKDIR, SftpType.RMDIR, SftpType.RENAME, SftpType.SYMLINK]);
const DELETING = new Set<number>([SftpType.REMOVE, SftpType.RMDIR, SftpType.RENAME]);
/** Reads that do not open anything: not worth a frame each (the channel bytes are recorded anyway). */
const QUIET = new Set<number>([SftpType.READ, SftpType.WRITE, SftpType.READDIR, SftpType.FSTAT, SftpType.INIT, SftpType.REALPATH, SftpType.LSTAT, SftpType.STAT]);

/**
 * Judges sftp requests against the grant's sftp mode and keeps per-handle byte counts, so every
 * file is recorded once when opened and once when closed with its totals. Pure: packets in,
 * verdicts and operations out.
 */
export class SftpPolicy {
  private readonly handles = new Map<string, { path: string; read: number; written: number }>();
  private readonly pending = new Map<number, { type: number; path: string; handle?: string }>();

  constructor(private readonly mode: SftpMode) {}

  /** Judges one client request. */
  onRequest(p: SftpPacket): SftpClientVerdict {
    const path = p.path ?? (p.handle !== undefined ? this.handles.get(p.handle)?.path : undefined) ?? '';
    const refusal = this.refusal(p);
    if (refusal !== undefined) {
      const op: SftpOperation = { op: p.extension ?? p.op, path, bytesRead: 0, bytesWritten: 0, allowed: false, reason: refusal };
      if (p.path2 !== undefined) op.path2 = p.path2;
      return { forward: false, reply: statusPacket(p.id, FX_PERMISSION_DENIED, `tollgate: ${refusal}`), record: op };
    }
    if (p.id >= 0) this.pending.set(p.id, { type: p.type, path, ...(p.handle === undefined ? {} : { handle: p.handle }) });
    if (p.type === SftpType.WRITE && p.handle !== undefined) {
      const h = this.handles.get(p.handle);
      if (h !== undefined) h.written += p.length ?? 0;
    }
    if (QUIET.has(p.type) || p.type === SftpType.OPEN || p.type === SftpType.OPENDIR || p.type === SftpType.CLOSE) return { forward: true, record: undefined };
    const op: SftpOperation = { op: p.extension ?? p.op, path, bytesRead: 0, bytesWritten: 0, allowed: true };
    if (p.path2 !== undefined) op.path2 = p.path2;
    return { forward: true, record: op };
  }

  /** Follows a server reply; returns an operation to record when one completes (open, close). */
  onReply(p: SftpPacket): SftpOperation | undefined {
    const req = this.pending.get(p.id);
    if (req === undefined) return undefined;
    this.pending.delete(p.id);
    if (p.type === SftpType.HANDLE && p.handle !== undefined && (req.type === SftpType.OPEN || req.type === SftpType.OPENDIR)) {
      this.handles.set(p.handle, { path: req.path, read: 0, written: 0 });
      return req.type === SftpType.OPEN ? { op: 'open', path: req.path, bytesRead: 0, bytesWritten: 0, allowed: true } : undefined;
    }
    if (p.type === SftpType.DATA && req.type === SftpType.READ && req.handle !== undefined) {
      const h = this.handles.get(req.handle);
      if (h !== undefined) h.read += p.length ?? 0;
      return undefined;
    }
    if (req.type === SftpType.CLOSE && req.handle !== undefined) {
      const h = this.handles.get(req.handle);
      this.handles.delete(req.handle);
      if (h !== undefined) return { op: 'close', path: h.path, bytesRead: h.read, bytesWritten: h.written, allowed: true };
    }
    return undefined;
  }

  private refusal(p: SftpPacket): string | undefined {
    if (this.mode === 'allow') return undefined;
    if (this.mode === 'deny') return 'sftp is not allowed by this grant';
    const writes = (p.type === SftpType.OPEN && ((p.pflags ?? 0) & WRITE_FLAGS) !== 0) || MUTATING.has(p.type) || (p.type === SftpType.EXTENDED && !/^(statvfs|fstatvfs|limits|expand-path|home-directory)@openssh\.com$/.test(p.extension ?? ''));
    if (this.mode === 'read-only' && writes) return `${p.extension ?? p.op} is refused: this grant allows sftp reads only`;
    const deletes = DELETING.has(p.type) || (p.type === SftpType.EXTENDED && /rename|remove|rmdir/.test(p.extension ?? ''));
    if (this.mode === 'no-delete' && deletes) return `${p.extension ?? p.op} is refused: this grant does not allow deleting or replacing files over sftp`;
    return undefined;
  }
}

import type ssh2 from 'ssh2';

/** The parts of ssh2's internal Protocol object a banner needs (ssh2 1.17; checked at run time). */
interface ProtocolInternals {
  _kexinit?: unknown;
  _packetRW?: { write?: { allocStart: number; alloc(n: number): Buffer; finalize(p: Buffer): Buffer } };
  _cipher?: { encrypt(p: Buffer): void };
}

const USERAUTH_BANNER = 53;

/**
 * Sends SSH_MSG_USERAUTH_BANNER (RFC 4252 §5.4) during authentication so a refused client sees
 * why (OpenSSH prints banners to stderr). ssh2 only sends a banner configured up front, so this
 * writes the packet through its protocol object; if those internals change, the message is
 * skipped (the refusal itself still happens) rather than risking a malformed packet.
 */
export function sendAuthBanner(conn: ssh2.Connection, text: string): boolean {
  const proto = (conn as unknown as { _protocol?: ProtocolInternals })._protocol;
  const w = proto?._packetRW?.write;
  const cipher = proto?._cipher;
  if (proto === undefined || w === undefined || cipher === undefined || proto._kexinit !== undefined) return false;
  if (typeof w.alloc !== 'function' || typeof w.finalize !== 'function' || typeof cipher.encrypt !== 'function') return false;
  const message = Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'utf8');
  let p = w.allocStart;
  const packet = w.alloc(1 + 4 + message.length + 4);
  packet[p] = USERAUTH_BANNER;
  packet.writeUInt32BE(message.length, ++p);
  message.copy(packet, p += 4);
  packet.writeUInt32BE(0, p + message.length); // language tag: empty
  cipher.encrypt(w.finalize(packet));
  return true;
}

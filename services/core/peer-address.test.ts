import { describe, expect, it } from 'vitest';
import { formatPeer, peerHost } from './peer-address.js';

describe('peer addresses', () => {
  it('formats IPv4 as ip:port and IPv6 in brackets', () => {
    expect(formatPeer('192.0.2.1', 50123)).toBe('192.0.2.1:50123');
    expect(formatPeer('::1', 5432)).toBe('[::1]:5432');
    expect(formatPeer('::ffff:192.0.2.1', 7)).toBe('[::ffff:192.0.2.1]:7');
    expect(formatPeer(undefined, undefined)).toBe(':0');
  });

  it('reads the host back from every form, whatever the port', () => {
    for (const ip of ['192.0.2.1', '::1', '2001:db8::1', '::ffff:192.0.2.1', 'fe80::1%eth0']) {
      expect(peerHost(formatPeer(ip, 40000))).toBe(ip);
      expect(peerHost(formatPeer(ip, 1))).toBe(ip);
    }
  });

  it('keeps bare hosts, and reads the unbracketed v6:port older gateways wrote', () => {
    expect(peerHost('192.0.2.1')).toBe('192.0.2.1');
    expect(peerHost('fe80::1234')).toBe('fe80::1234');
    expect(peerHost('::1:5432')).toBe('::1');
    expect(peerHost('::ffff:192.0.2.1:5000')).toBe('::ffff:192.0.2.1');
    expect(peerHost('')).toBe('');
    expect(peerHost('unix:socket')).toBe('unix:socket');
  });
});

import { isIPv6 } from 'node:net';

/** How gateways record a client's address: `ip:port`, with IPv6 in brackets so the port stays apart. */
export function formatPeer(ip: string | undefined, port: number | undefined): string {
  const host = ip ?? '';
  return `${isIPv6(host) ? `[${host}]` : host}:${port ?? 0}`;
}

/**
 * The host part of a recorded client address: rules compare hosts, since every connection of one
 * client comes from a new source port. Takes `ip:port`, `[v6]:port`, a bare ip, and the unbracketed
 * `v6:port` older gateways wrote (read as v6 plus port when the rest is an IPv6 address).
 */
export function peerHost(address: string): string {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    return end < 0 ? address : address.slice(1, end);
  }
  const colon = address.lastIndexOf(':');
  if (colon < 0) return address;
  const port = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port)) return address;
  const rest = address.slice(0, colon);
  if (address.indexOf(':') === colon) return rest;
  // Ambiguous for a bare IPv6 address ending in a group of digits; bracketed records avoid that.
  return isIPv6(rest) ? rest : address;
}

// IPv4 and MAC address arithmetic for the data plane: parsing and checking what arrives from
// the cluster and from dockerd, and the MAC an endpoint gets from its address.

import { OverlayError } from './errors.js';

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The address as a 32-bit unsigned number; throws OverlayError on anything else. */
export function ipv4ToInt(ip: string): number {
  const m = IPV4_RE.exec(ip);
  if (!m) throw new OverlayError('OVERLAY_BAD_CONFIG', `"${ip}" is not an IPv4 address`);
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) throw new OverlayError('OVERLAY_BAD_CONFIG', `"${ip}" is not an IPv4 address`);
    n = n * 256 + part;
  }
  return n;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIpv4(s: string): boolean {
  try {
    ipv4ToInt(s);
    return true;
  } catch {
    return false;
  }
}

export interface Ipv4Cidr {
  /** The address as written (may be a host address inside the subnet). */
  readonly address: string;
  readonly prefix: number;
  /** The subnet's first address. */
  readonly network: string;
  /** Number of addresses in the subnet. */
  readonly size: number;
}

/** Parses "a.b.c.d/len". */
export function parseCidr(cidr: string): Ipv4Cidr {
  const slash = cidr.indexOf('/');
  const prefix = slash < 0 ? NaN : Number(cidr.slice(slash + 1));
  if (slash < 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new OverlayError('OVERLAY_BAD_CONFIG', `"${cidr}" is not an IPv4 CIDR (a.b.c.d/len)`);
  }
  const address = cidr.slice(0, slash);
  const size = 2 ** (32 - prefix);
  const network = intToIpv4(Math.floor(ipv4ToInt(address) / size) * size);
  return { address, prefix, network, size };
}

/** The address without its prefix length ("10.0.1.5/24" → "10.0.1.5"). */
export function stripPrefix(addr: string): string {
  const slash = addr.indexOf('/');
  return slash < 0 ? addr : addr.slice(0, slash);
}

/** Whether `ip` lies inside the subnet `cidr`. */
export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const base = ipv4ToInt(c.network);
  const n = ipv4ToInt(ip);
  return n >= base && n < base + c.size;
}

/**
 * The MAC of an endpoint with this address, as Docker's overlay driver makes it: 02:42 then the
 * four address bytes (locally administered, unicast). Every node derives the same MAC from an
 * address, so the cluster need not carry MACs for static forwarding.
 */
export function macFromIpv4(ip: string): string {
  const n = ipv4ToInt(ip);
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The MAC in canonical form (lowercase, colons); throws OverlayError if it is not one. */
export function normalizeMac(mac: string): string {
  const m = mac.trim().toLowerCase().replaceAll('-', ':');
  if (!MAC_RE.test(m)) throw new OverlayError('OVERLAY_BAD_CONFIG', `"${mac}" is not a MAC address`);
  return m;
}

// IPv4 addresses and CIDR blocks as unsigned 32-bit integers: parsing (strict dotted quads, as
// Go's net.ParseIP and net.ParseCIDR accept them), formatting, and the arithmetic the
// allocator needs (containment, overlap, network and broadcast addresses).

/** A CIDR block: `base` is the network address (host bits cleared). */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** The address as an unsigned integer, or undefined if `text` is not a dotted quad. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The netmask of a prefix length, as an unsigned integer. */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The block of `prefix` bits holding `ip`. */
export function cidrOf(ip: number, prefix: number): Cidr {
  return { base: (ip & maskOf(prefix)) >>> 0, prefix };
}

/**
 * "a.b.c.d/n" as the address written and its prefix length (host bits may be set, as in
 * "10.0.1.5/24"); undefined for anything else.
 */
export function parseCidrAddress(text: string): { ip: number; prefix: number } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPv4(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (ip === undefined || !/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(bits)) return undefined;
  return { ip, prefix: Number(bits) };
}

/** "a.b.c.d/n" as the block it names (host bits cleared), or undefined. */
export function parseCidr(text: string): Cidr | undefined {
  const parsed = parseCidrAddress(text);
  return parsed === undefined ? undefined : cidrOf(parsed.ip, parsed.prefix);
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

/** An address written with a prefix length, e.g. "10.0.1.5/24". */
export function formatAddress(ip: number, prefix: number): string {
  return `${formatIPv4(ip)}/${prefix}`;
}

/** Number of addresses in the block. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The last address of the block (the broadcast address of a subnet). */
export function cidrLast(c: Cidr): number {
  return c.base + cidrSize(c) - 1;
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip <= cidrLast(c);
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.base);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base <= cidrLast(b) && b.base <= cidrLast(a);
}

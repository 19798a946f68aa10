// Choosing a subnet for a network the user gave none: the lowest block of `subnetSize` bits in
// the cluster's default address pools (Swarm's 10.0.0.0/8 in /24s) that overlaps no subnet in
// use or asked for, as libnetwork's default IPAM picks from its predefined pools.

import { SubnetPoolExhaustedError } from './errors.js';
import { cidrLast, cidrSize, cidrsOverlap, parseCidr, type Cidr } from '../../api/network/ipv4.js';

export const DEFAULT_ADDR_POOL: readonly string[] = ['10.0.0.0/8'];
export const DEFAULT_SUBNET_SIZE = 24;

export function pickSubnet(pools: readonly string[], subnetSize: number, taken: readonly Cidr[]): Cidr {
  const sorted = [...taken].sort((a, b) => a.base - b.base);
  for (const text of pools) {
    const pool = parseCidr(text);
    if (pool === undefined || subnetSize < pool.prefix || subnetSize > 32) continue;
    const step = cidrSize({ base: 0, prefix: subnetSize });
    const end = cidrLast(pool);
    let base = pool.base;
    while (base + step - 1 <= end) {
      const candidate: Cidr = { base, prefix: subnetSize };
      const clash = sorted.find((t) => cidrsOverlap(candidate, t));
      if (clash === undefined) return candidate;
      // Jump past the block in the way, to the next aligned candidate.
      const next = Math.max(base + step, cidrLast(clash) + 1);
      base = Math.ceil(next / step) * step;
    }
  }
  throw new SubnetPoolExhaustedError();
}

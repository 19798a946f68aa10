// A network's addressing: the user's --subnet/--ip-range/--gateway checked with swarmkit's
// messages, the defaults filled in (the gateway is the first usable address), and the check
// that a subnet overlaps no other network's.

import type { IPAMConfig, Network } from '../../api/objects/index.js';
import { InvalidIpamConfigError, PoolOverlapError } from './errors.js';
import {
  cidrLast,
  cidrContains,
  cidrsOverlap,
  cidrWithin,
  formatCidr,
  formatIPv4,
  parseCidr,
  parseCidrAddress,
  parseIPv4,
  type Cidr,
} from '../../api/network/ipv4.js';

/** Smallest subnet that still has a task address besides network, gateway and broadcast. */
export const MAX_PREFIX = 30;

export interface NetworkAddressing {
  readonly subnet: Cidr;
  /** Where task and virtual IP addresses come from: the --ip-range, else the subnet. */
  readonly range: Cidr;
  /** True when the user gave the range (it is shown in IPAM.Config as IPRange). */
  readonly explicitRange: boolean;
  readonly gateway: number;
}

/** Checks one user-given IPAM config and fills in the defaults. */
export function parseIpamConfig(c: IPAMConfig): NetworkAddressing {
  if (c.subnet.includes(':')) {
    throw new InvalidIpamConfigError(`IPv6 subnets are not supported yet: ${c.subnet}`);
  }
  const written = parseCidrAddress(c.subnet);
  if (written === undefined) throw new InvalidIpamConfigError(`invalid subnet ${c.subnet}`);
  const subnet = parseCidr(c.subnet)!;
  if (subnet.prefix > MAX_PREFIX) {
    throw new InvalidIpamConfigError(`subnet ${c.subnet} is too small: use a /${MAX_PREFIX} or larger`);
  }
  let range = subnet;
  const explicitRange = c.range !== undefined && c.range !== '';
  if (explicitRange) {
    const r = parseCidr(c.range!);
    if (r === undefined) throw new InvalidIpamConfigError(`invalid range ${c.range}`);
    if (!cidrWithin(r, subnet)) {
      throw new InvalidIpamConfigError(`subnet ${c.subnet} does not contain range ${c.range}`);
    }
    range = r;
  }
  let gateway: number;
  if (c.gateway !== undefined && c.gateway !== '') {
    const g = parseIPv4(c.gateway);
    if (g === undefined) throw new InvalidIpamConfigError(`invalid gateway ${c.gateway}`);
    if (!cidrContains(subnet, g)) {
      throw new InvalidIpamConfigError(`subnet ${c.subnet} does not contain gateway ${c.gateway}`);
    }
    if (g === subnet.base || g === cidrLast(subnet)) {
      throw new InvalidIpamConfigError(
        `gateway ${c.gateway} is the network or broadcast address of subnet ${formatCidr(subnet)}`,
      );
    }
    gateway = g;
  } else {
    gateway = Math.max(range.base, subnet.base + 1);
  }
  return { subnet, range, explicitRange, gateway };
}

/** The config as the allocator records it in `Network.ipam`. */
export function ipamConfigOf(a: NetworkAddressing): IPAMConfig {
  return {
    subnet: formatCidr(a.subnet),
    ...(a.explicitRange ? { range: formatCidr(a.range) } : {}),
    gateway: formatIPv4(a.gateway),
  };
}

/** The subnets a network holds: its allocated ones, else the ones its spec asks for. */
export function subnetsOf(n: Network): Cidr[] {
  const configs = n.ipam?.configs.length ? n.ipam.configs : (n.spec.ipam?.configs ?? []);
  const out: Cidr[] = [];
  for (const c of configs) {
    const cidr = parseCidr(c.subnet);
    if (cidr !== undefined) out.push(cidr);
  }
  return out;
}

/** Refuses `subnet` if it overlaps a subnet of any of `others` (another network's). */
export function checkNoOverlap(subnet: Cidr, others: readonly Network[]): void {
  for (const other of others) {
    for (const taken of subnetsOf(other)) {
      if (cidrsOverlap(subnet, taken)) {
        throw new PoolOverlapError(formatCidr(subnet), other.spec.name, formatCidr(taken));
      }
    }
  }
}

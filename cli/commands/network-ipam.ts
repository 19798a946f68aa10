// `network create --subnet/--ip-range/--gateway/--aux-address` into IPAM configs, as the docker
// CLI's consolidateIpam does: each range and gateway joins the one subnet that contains it.
import {
  cidrContains,
  cidrsOverlap,
  parseCidr,
  parseCidrAddress,
  parseIPv4,
} from '../../api/network/ipv4.js';
import type { IpamConfig } from './network-client.js';
import { CliError } from './cli-error.js';

export interface IpamFlags {
  readonly subnets: readonly string[];
  readonly ranges: readonly string[];
  readonly gateways: readonly string[];
  readonly auxAddresses: Readonly<Record<string, string>>;
}

function subnetOf(text: string): NonNullable<ReturnType<typeof parseCidr>> {
  const c = parseCidr(text);
  if (c === undefined) throw new CliError(`invalid subnet: invalid CIDR address: ${text}`, 'FLAG_VALUE');
  return c;
}

/** docker's subnetMatches: is the address (or CIDR's address) `data` inside `subnet`? */
function subnetMatches(subnet: string, data: string): boolean {
  const s = subnetOf(subnet);
  const ip = data.includes('/') ? parseCidrAddress(data)?.ip : parseIPv4(data);
  if (ip === undefined) {
    throw new CliError(
      data.includes('/') ? `invalid CIDR address: ${data}` : `invalid IP address: ${data}`,
      'FLAG_VALUE',
    );
  }
  return cidrContains(s, ip);
}

export function consolidateIpam(f: IpamFlags): IpamConfig[] {
  if (f.subnets.length < f.ranges.length || f.subnets.length < f.gateways.length) {
    throw new CliError('every ip-range or gateway must have a corresponding subnet', 'FLAG_VALUE');
  }
  const configs = new Map<string, IpamConfig>();
  for (const s of f.subnets) {
    for (const k of configs.keys()) {
      if (cidrsOverlap(subnetOf(s), subnetOf(k))) {
        throw new CliError('multiple overlapping subnet configuration is not supported', 'FLAG_VALUE');
      }
    }
    configs.set(s, { Subnet: s });
  }
  const join = (values: readonly string[], field: 'IPRange' | 'Gateway', what: string): void => {
    for (const v of values) {
      let match = false;
      for (const s of f.subnets) {
        if (!subnetMatches(s, v)) continue;
        const c = configs.get(s)!;
        const already = c[field];
        if (already !== undefined) {
          throw new CliError(
            field === 'IPRange'
              ? `cannot configure multiple ranges (${v}, ${already}) on the same subnet (${s})`
              : `cannot configure multiple gateways (${v}, ${already}) for the same subnet (${s})`,
            'FLAG_VALUE',
          );
        }
        c[field] = v;
        match = true;
      }
      if (!match) throw new CliError(`no matching subnet for ${what} ${v}`, 'FLAG_VALUE');
    }
  };
  join(f.ranges, 'IPRange', 'range');
  join(f.gateways, 'Gateway', 'gateway');
  for (const [key, address] of Object.entries(f.auxAddresses)) {
    let match = false;
    for (const s of f.subnets) {
      if (!subnetMatches(s, address)) continue;
      const c = configs.get(s)!;
      c.AuxiliaryAddresses = { ...(c.AuxiliaryAddresses ?? {}), [key]: address };
      match = true;
    }
    if (!match) throw new CliError(`no matching subnet for aux-address ${address}`, 'FLAG_VALUE');
  }
  return [...configs.values()];
}

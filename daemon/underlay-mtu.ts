// The underlay MTU: the MTU of the network interface that carries the node's advertise address,
// the path VXLAN packets take between nodes. OpenStack tenant networks run at 1450, and an
// overlay inside them must leave room for the 50 bytes of VXLAN encapsulation (outer Ethernet
// 14, IPv4 20, UDP 8, VXLAN 8), so its MTU is the underlay's minus 50.

import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

/** One interface as the decision needs it. */
export interface NetInterface {
  readonly name: string;
  /** Its IPv4 and IPv6 addresses, without prefix length. */
  readonly addresses: readonly string[];
  /** From /sys/class/net/<name>/mtu; undefined when it could not be read. */
  readonly mtu: number | undefined;
  /** Loopback. */
  readonly internal: boolean;
}

/** Ethernet's MTU: what a node without a better answer assumes. */
export const DEFAULT_UNDERLAY_MTU = 1500;
/** Outer Ethernet + IPv4 + UDP + VXLAN headers. */
export const VXLAN_OVERHEAD = 50;
/** The largest underlay MTU a VXLAN device accepts over IPv4 (IP_MAX_MTU). */
export const MAX_UNDERLAY_MTU = 65535;

/** The host part of "ip", "ip:port", "[v6]:port" or "v6", lower case. */
function hostOf(addr: string): string {
  const a = addr.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed?.[1] !== undefined) return bracketed[1].toLowerCase();
  const v4 = /^([^:]+)(?::\d+)?$/.exec(a);
  if (v4?.[1] !== undefined) return v4[1].toLowerCase();
  return a.toLowerCase(); // a bare IPv6 address
}

function usable(mtu: number | undefined): mtu is number {
  return mtu !== undefined && Number.isInteger(mtu) && mtu >= 576 && mtu <= 65535;
}

/**
 * The MTU of the interface that holds `advertiseAddr` (an IP, with or without a port). When no
 * interface holds it (a floating IP behind NAT), the smallest MTU among the non-loopback
 * interfaces that have an address, since a packet must fit whichever of them it leaves by; and
 * 1500 when nothing is known. A loopback carrier (advertising 127.0.0.1) gives 1500, Docker's
 * default, as the agent does (agent/network/overlay/underlay.ts): its 65536 would put the VXLAN
 * device past the kernel's maximum.
 */
export function detectUnderlayMtu(interfaces: readonly NetInterface[], advertiseAddr: string): number {
  const host = hostOf(advertiseAddr);
  const carrier = interfaces.find((i) => i.addresses.some((a) => a.toLowerCase() === host));
  if (carrier?.internal === true) return DEFAULT_UNDERLAY_MTU;
  if (carrier && usable(carrier.mtu)) return carrier.mtu;
  const candidates = interfaces
    .filter((i) => !i.internal && i.addresses.length > 0)
    .map((i) => i.mtu)
    .filter(usable);
  return candidates.length > 0 ? Math.min(...candidates) : DEFAULT_UNDERLAY_MTU;
}

/** The MTU for overlay networks (and their tasks) over an underlay of `underlayMtu`. */
export function overlayMtu(underlayMtu: number): number {
  // Past what a VXLAN device accepts: Docker's default, as the agent does.
  return (underlayMtu > MAX_UNDERLAY_MTU ? DEFAULT_UNDERLAY_MTU : underlayMtu) - VXLAN_OVERHEAD;
}

async function readMtu(sysClassNet: string, name: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(join(sysClassNet, name, 'mtu'), 'utf8')).trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * This machine's interfaces with their addresses (os.networkInterfaces) and MTUs (sysfs). In a
 * network namespace entered without remounting /sys, sysfs still shows the namespace that
 * mounted it: read it from a process that mounted its own.
 */
export async function readNetInterfaces(
  sysClassNet = '/sys/class/net',
  ifaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): Promise<NetInterface[]> {
  return Promise.all(
    Object.entries(ifaces).map(async ([name, addrs]) => ({
      name,
      addresses: (addrs ?? []).map((a) => a.address),
      internal: (addrs ?? []).some((a) => a.internal),
      mtu: await readMtu(sysClassNet, name),
    })),
  );
}

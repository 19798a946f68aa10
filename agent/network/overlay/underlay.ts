// The node's underlay: the interface that carries the node's address (the VXLAN tunnels' local
// end) and its MTU, from which overlay MTUs follow.

import { OverlayError } from './errors.js';
import type { IpRoute } from './iproute.js';

export interface Underlay {
  /** The node's address on the underlay (VXLAN source). */
  readonly address: string;
  /** The interface carrying it. */
  readonly iface: string;
  readonly mtu: number;
  /** The interface is a loopback (a one-node swarm advertising 127.0.0.1). */
  readonly loopback?: boolean;
}

/** VXLAN over IPv4 costs 50 bytes: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
export const VXLAN_OVERHEAD = 50;
/** Ethernet's MTU, Docker's default for overlay underlays. */
export const DEFAULT_UNDERLAY_MTU = 1500;
/** The largest MTU the kernel gives a VXLAN device over IPv4 (IP_MAX_MTU 65535 − headroom). */
export const MAX_VXLAN_MTU = 65535 - VXLAN_OVERHEAD;

/**
 * The overlay MTU over underlay `u`: the underlay's MTU less the VXLAN headers. Over a loopback
 * (65536 on Linux) or any underlay whose MTU would put the VXLAN device past what the kernel
 * accepts ("mtu greater than device maximum"), Docker's default instead: 1500 − 50 = 1450. A
 * loopback underlay only ever carries traffic inside one machine, where 1450 costs nothing
 * that matters, and the same MTU as on an Ethernet node keeps containers' path MTU the same
 * when the swarm later grows onto real links.
 */
export function overlayMtu(u: Underlay): number {
  const mtu = u.mtu - VXLAN_OVERHEAD;
  if (u.loopback === true || mtu > MAX_VXLAN_MTU) return DEFAULT_UNDERLAY_MTU - VXLAN_OVERHEAD;
  return mtu;
}

/**
 * The MTU of the gateway bridge (containers' way out through NAT): the underlay's own, except
 * over a loopback or past what a bridge accepts (65535), where Docker's default 1500 is used:
 * a bridge at lo's 65536 is refused ("mtu greater than device maximum"), and NATed traffic
 * leaves by the host's real links anyway.
 */
export function gatewayMtu(u: Underlay): number {
  return u.loopback === true || u.mtu > MAX_VXLAN_MTU + VXLAN_OVERHEAD ? DEFAULT_UNDERLAY_MTU : u.mtu;
}

/** `ip -j addr show` marks a loopback by its link type (and the LOOPBACK flag). */
function isLoopback(link: Record<string, unknown>): boolean {
  const flags = link['flags'];
  return link['link_type'] === 'loopback' || (Array.isArray(flags) && flags.includes('LOOPBACK'));
}

/** Finds the interface holding `address` in the node's namespace (`ip -j addr show`). */
export async function detectUnderlay(ip: Pick<IpRoute, 'ipJson'>, address: string): Promise<Underlay> {
  const links = await ip.ipJson(['-4', 'addr', 'show']);
  const seen: string[] = [];
  for (const l of links) {
    const name = l['ifname'];
    const mtu = l['mtu'];
    const infos = l['addr_info'];
    if (typeof name !== 'string' || typeof mtu !== 'number' || !Array.isArray(infos)) continue;
    for (const a of infos as unknown[]) {
      if (typeof a !== 'object' || a === null || !('local' in a) || typeof a.local !== 'string') continue;
      seen.push(`${a.local} on ${name}`);
      if (a.local === address) return { address, iface: name, mtu, loopback: isLoopback(l) };
    }
  }
  throw new OverlayError(
    'OVERLAY_UNDERLAY_NOT_FOUND',
    `no interface of this node has the address ${address} (it has: ${seen.join(', ') || 'none'}); ` +
      'the node address must be one of its own (the advertise address)',
  );
}

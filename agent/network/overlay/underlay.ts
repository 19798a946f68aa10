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
}

/** VXLAN over IPv4 costs 50 bytes: outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8. */
export const VXLAN_OVERHEAD = 50;

export function overlayMtu(u: Underlay): number {
  return u.mtu - VXLAN_OVERHEAD;
}

/** Finds the interface holding `address` in the node's namespace (`ip -j addr show`). */
export async function detectUnderlay(ip: IpRoute, address: string): Promise<Underlay> {
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
      if (a.local === address) return { address, iface: name, mtu };
    }
  }
  throw new OverlayError(
    'OVERLAY_UNDERLAY_NOT_FOUND',
    `no interface of this node has the address ${address} (it has: ${seen.join(', ') || 'none'}); ` +
      'the node address must be one of its own (the advertise address)',
  );
}

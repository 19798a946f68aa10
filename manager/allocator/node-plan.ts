// A node's own attachments: an address on the ingress network for its ingress sandbox (where
// the routing mesh leaves and enters the overlay), kept while the node is in the cluster.
// Attachments to networks that are gone are dropped.

import type { Node } from '../../api/objects/index.js';
import { formatAddress } from '../../api/network/ipv4.js';
import { ownerOfNode, type AllocationLedger } from './ledger.js';

export function planNode(
  ledger: AllocationLedger,
  node: Node,
  ingressId: string | undefined,
  exists: (networkId: string) => boolean,
): Node['attachments'] {
  const owner = ownerOfNode(node.id);
  const out: Node['attachments'] = [];
  for (const a of node.attachments) {
    if (!exists(a.networkId) || out.some((o) => o.networkId === a.networkId)) continue;
    if (a.networkId === ingressId && ledger.network(a.networkId) !== undefined) {
      const addresses = a.addresses.filter((addr) => ledger.reserve(a.networkId, addr, owner));
      if (addresses.length > 0) out.push({ networkId: a.networkId, addresses });
      continue;
    }
    out.push({ networkId: a.networkId, addresses: [...a.addresses] });
  }
  const ingress = ingressId === undefined ? undefined : ledger.network(ingressId);
  if (ingress !== undefined && !out.some((o) => o.networkId === ingressId)) {
    const addr = formatAddress(ingress.pool.allocate(owner), ingress.addressing.subnet.prefix);
    out.push({ networkId: ingress.networkId, addresses: [addr] });
  }
  return out;
}

/** Frees the addresses a node holds (it left the cluster). */
export function releaseNode(ledger: AllocationLedger, node: Node): void {
  for (const a of node.attachments) {
    for (const address of a.addresses) ledger.release(a.networkId, address, ownerOfNode(node.id));
  }
}

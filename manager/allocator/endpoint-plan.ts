// Allocating a service's endpoint: a virtual IP on every network it attaches to (and on the
// ingress network when it publishes ports through the routing mesh), unless it resolves by DNS
// round robin; and its published ports. Allocations it already holds are kept; what it no
// longer needs is returned to be freed once the new endpoint is written.

import type { Endpoint, EndpointSpec, Service } from '../../api/objects/index.js';
import { formatAddress } from '../../api/network/ipv4.js';
import { needsIngress } from './ingress.js';
import { addressIp, ownerOfVip, type AllocationLedger } from './ledger.js';
import { planPorts, type PortKey } from './published-ports.js';

/** Where the networks a service names stand. */
export interface NetworkLookup {
  /** The ingress network's ID, if the cluster has one. */
  readonly ingressId: string | undefined;
  /** True if the network exists in the store (allocated or not). */
  readonly exists: (networkId: string) => boolean;
}

export interface AddressRelease {
  readonly networkId: string;
  readonly address: string;
  readonly owner: string;
}

export type EndpointPlan =
  | {
      readonly kind: 'ready';
      /** The endpoint to record (undefined: the service needs none). */
      readonly endpoint: Endpoint | undefined;
      readonly releaseAddresses: AddressRelease[];
      readonly releasePorts: PortKey[];
    }
  /** A network the service needs is not allocated yet. */
  | { readonly kind: 'waiting'; readonly networkId: string };

const DEFAULT_ENDPOINT_SPEC: EndpointSpec = { mode: 'vip', ports: [] };

/** The networks a service attaches its tasks to, in spec order, without repeats. */
export function serviceNetworkIds(service: Service): string[] {
  return [...new Set(service.spec.taskTemplate.networks.map((n) => n.target))];
}

export function planEndpoint(
  ledger: AllocationLedger,
  service: Service,
  lookup: NetworkLookup,
): EndpointPlan {
  const spec = service.spec.endpointSpec;
  const mode = spec?.mode ?? 'vip';
  const wanted: string[] = [];
  if (mode === 'vip') {
    const targets = serviceNetworkIds(service);
    if (needsIngress(service.spec) && lookup.ingressId !== undefined) targets.unshift(lookup.ingressId);
    for (const id of targets) {
      if (ledger.network(id) !== undefined) wanted.push(id);
      else if (lookup.exists(id)) return { kind: 'waiting', networkId: id };
    }
  }
  const owner = ownerOfVip(service.id);
  const previous = service.endpoint?.virtualIPs ?? [];
  const virtualIPs: Endpoint['virtualIPs'] = [];
  const made: AddressRelease[] = [];
  try {
    for (const v of previous) {
      if (wanted.includes(v.networkId) && !virtualIPs.some((k) => k.networkId === v.networkId)) {
        if (ledger.reserve(v.networkId, v.addr, owner))
          virtualIPs.push({ networkId: v.networkId, addr: v.addr });
      }
    }
    for (const id of wanted) {
      if (virtualIPs.some((k) => k.networkId === id)) continue;
      const entry = ledger.network(id)!;
      const ip = entry.pool.allocate(owner);
      const addr = formatAddress(ip, entry.addressing.subnet.prefix);
      made.push({ networkId: id, address: addr, owner });
      virtualIPs.push({ networkId: id, addr });
    }
    const ports = planPorts(ledger.ports, service.id, spec?.ports ?? [], service.endpoint?.ports ?? []);
    const kept = new Set(virtualIPs.map((v) => `${v.networkId} ${v.addr}`));
    const releaseAddresses = previous
      .filter((v) => !kept.has(`${v.networkId} ${v.addr}`) && addressIp(v.addr) !== undefined)
      .map((v) => ({ networkId: v.networkId, address: v.addr, owner }));
    const needsEndpoint = spec !== undefined || virtualIPs.length > 0 || service.endpoint !== undefined;
    const endpoint: Endpoint | undefined = needsEndpoint
      ? { spec: structuredClone(spec ?? DEFAULT_ENDPOINT_SPEC), ports: ports.ports, virtualIPs }
      : undefined;
    return { kind: 'ready', endpoint, releaseAddresses, releasePorts: ports.releases };
  } catch (e: unknown) {
    for (const m of made) ledger.release(m.networkId, m.address, m.owner);
    throw e;
  }
}

// From the node's network view (agent/network/network-view.ts: what the cluster says this node
// must program) to the load-balancing specs. Pure. Only healthy backends (running and meant to
// run) receive new connections; the ingress network carries the routing mesh only, so its VIPs
// are not programmed in task sandboxes (as in Docker).

import type { NodeNetworkView } from '../network-view.js';
import type { NodeLbSpec, PublishedPort, SandboxDnsRedirect, SandboxLbSpec, VipService } from './lb-spec.js';

/** The sandbox spec of a task attached to `networkIds` on this node. */
export function sandboxSpecFromView(
  view: NodeNetworkView,
  networkIds: readonly string[],
  dns?: SandboxDnsRedirect,
): SandboxLbSpec {
  const services: VipService[] = [];
  for (const n of view.networks) {
    if (n.ingress || !networkIds.includes(n.networkId)) continue;
    for (const s of n.services) {
      if (s.endpointMode !== 'vip' || s.vip === undefined) continue;
      services.push({ vip: s.vip, backends: s.backends.filter((b) => b.healthy).map((b) => b.address) });
    }
  }
  return { services, ...(dns ? { dns } : {}) };
}

/**
 * The node spec: every ingress-mode published port of the services on the ingress network,
 * balanced over their healthy tasks' ingress addresses wherever they run, plus the host-mode
 * ports of this node's own tasks, which only the node knows how to reach (the caller gives them,
 * with the local task addresses as backends).
 */
export function nodeSpecFromView(
  view: NodeNetworkView,
  hostPorts: readonly PublishedPort[] = [],
): NodeLbSpec {
  const ingress = view.networks.find((n) => n.ingress);
  const ports: PublishedPort[] = [];
  for (const s of ingress?.services ?? []) {
    const backends = s.backends.filter((b) => b.healthy).map((b) => b.address);
    for (const p of s.ports) {
      if (p.publishMode !== 'ingress' || p.publishedPort === 0) continue;
      ports.push({
        protocol: p.protocol,
        publishedPort: p.publishedPort,
        targetPort: p.targetPort,
        mode: 'ingress',
        backends,
      });
    }
  }
  return { ...(ingress ? { ingressSubnet: ingress.subnet } : {}), ports: [...ports, ...hostPorts] };
}

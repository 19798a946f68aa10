// From the node's network view (api/network/network-view.ts: what the cluster says this node
// must program) to the load-balancing specs. Pure. Only healthy backends (running and meant to
// run) receive new connections; the ingress network carries the routing mesh only, so its VIPs
// are not programmed in task sandboxes (as in Docker).

import type { NodeNetworkView, PortView } from '../../../api/network/network-view.js';
import { portKey } from './lb-spec.js';
import type { MeshReplySpec } from './mesh-reply.js';
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
 * The reply routing of task `taskId`'s sandbox when it serves a port that keeps the client's
 * address (mesh-reply.ts): its ingress address, the ingress subnet and every node's ingress
 * address. Undefined for any other task.
 */
export function meshReplySpecFromView(view: NodeNetworkView, taskId: string): MeshReplySpec | undefined {
  const ingress = view.networks.find((n) => n.ingress);
  if (ingress === undefined) return undefined;
  for (const s of ingress.services) {
    if (!s.ports.some((p) => p.clientIp === 'preserve')) continue;
    const mine = s.backends.find((b) => b.taskId === taskId);
    if (mine === undefined) continue;
    const nodes = ingress.endpoints
      .filter((e) => e.kind === 'ingress-sandbox')
      .map((e) => e.address.split('/')[0] ?? e.address);
    const udpPorts = s.ports
      .filter((p) => p.clientIp === 'preserve' && p.protocol === 'udp')
      .map((p) => p.targetPort);
    return { address: mine.address, subnet: ingress.subnet, nodes, udpPorts: [...new Set(udpPorts)] };
  }
  return undefined;
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
  const ports = meshPorts(view);
  // A host port the routing mesh already answers cluster-wide cannot be bound too: the mesh wins.
  const taken = new Set(ports.map((p) => portKey(p.protocol, p.publishedPort)));
  const local = hostPorts.filter((p) => !taken.has(portKey(p.protocol, p.publishedPort)));
  return { ...(ingress ? { ingressSubnet: ingress.subnet } : {}), ports: [...ports, ...local] };
}

/** The ingress-mode published ports every node answers, over each service's healthy tasks. */
function meshPorts(view: NodeNetworkView): PublishedPort[] {
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
        ...(p.clientIp === 'preserve' ? { preserveClientIp: true } : {}),
      });
    }
  }
  return ports;
}

/** A host-mode port with a number: the only kind the node binds (see hostPortsFromView). */
const isNumberedHostPort = (p: PortView): boolean => p.publishMode === 'host' && p.publishedPort !== 0;

/**
 * The host-mode ports the node binds for one of its running tasks (what its status reports):
 * the numbered ones the routing mesh does not already answer (as nodeSpecFromView decides).
 */
export function boundHostPorts(view: NodeNetworkView, taskId: string): PortView[] {
  const taken = new Set(meshPorts(view).map((p) => portKey(p.protocol, p.publishedPort)));
  const ports = view.hostPorts?.find((h) => h.taskId === taskId)?.ports ?? [];
  return ports.filter((p) => isNumberedHostPort(p) && !taken.has(portKey(p.protocol, p.publishedPort)));
}

/**
 * The host-mode ports of this node's tasks, each leading to the task's own address as the node
 * reaches it (`addressOf`: its address on the gateway bridge; undefined while the task is not
 * running, which leaves its ports unbound). Tasks publishing the same port share it, round robin.
 * A host-mode port without a number is left out: the engine would pick one, and shoal does not
 * bind ports the engine does not know.
 */
export function hostPortsFromView(
  view: NodeNetworkView,
  addressOf: (taskId: string) => string | undefined,
): PublishedPort[] {
  const byKey = new Map<string, PublishedPort & { backends: string[] }>();
  for (const t of view.hostPorts ?? []) {
    const address = addressOf(t.taskId);
    if (address === undefined) continue;
    for (const p of t.ports) {
      if (!isNumberedHostPort(p)) continue;
      const key = portKey(p.protocol, p.publishedPort);
      const known = byKey.get(key);
      if (known) known.backends.push(address);
      else {
        byKey.set(key, {
          protocol: p.protocol,
          publishedPort: p.publishedPort,
          targetPort: p.targetPort,
          mode: 'host',
          backends: [address],
        });
      }
    }
  }
  return [...byKey.values()];
}

// The seam between the cluster state and a node's data plane: what one node needs to program
// its overlay networks (bridge + VXLAN with static forwarding entries), its embedded DNS and
// its load balancing, computed by a pure function from the store's objects. The dispatcher
// carries it to the agent; agent/network programs the kernel from it.
//
// A node takes part in an overlay network when it runs a live task attached to it, and in the
// ingress network whenever it is ready (every node answers published ports). For each such
// network the view lists every live endpoint in the cluster (for forwarding), and every
// service on it with its virtual IP, ports and backends (for DNS and load balancing).

import { parseCidrAddress, parseIPv4 } from './ipv4.js';
import type { EndpointMode, PortConfig } from '../objects/index.js';

interface EndpointBase {
  /** Node the endpoint lives on, and that node's underlay address (VXLAN remote). */
  readonly nodeId: string;
  readonly nodeAddr: string;
  /** The endpoint's overlay address with its prefix length, e.g. "10.0.1.5/24". */
  readonly address: string;
  /** Deterministic from the address, as Docker makes it: 02:42 and the four address bytes. */
  readonly mac: string;
}

/** A task's interface on the network. */
export interface TaskEndpoint extends EndpointBase {
  readonly kind: 'task';
  readonly taskId: string;
  readonly serviceId: string;
  readonly serviceName: string;
  /**
   * A container outside any service (a network attachment): the names it answers to on the
   * network (its container name and aliases), as Docker resolves such containers by name.
   */
  readonly names?: readonly string[];
}

/** A node's ingress sandbox, where routing-mesh traffic enters and leaves the overlay. */
export interface SandboxEndpoint extends EndpointBase {
  readonly kind: 'ingress-sandbox';
}

export type EndpointView = TaskEndpoint | SandboxEndpoint;

export interface PortView {
  readonly protocol: PortConfig['protocol'];
  readonly targetPort: number;
  /** 0 for a host-mode port the engine numbers. */
  readonly publishedPort: number;
  readonly publishMode: PortConfig['publishMode'];
  /** An ingress-mode port whose service keeps the client's source address (api/mesh-client-ip.ts). */
  readonly clientIp?: 'preserve';
}

export interface BackendView {
  readonly taskId: string;
  /** Overlay address without prefix length. */
  readonly address: string;
  readonly nodeId: string;
  /** Running and meant to run: load balancing sends new connections only here. */
  readonly healthy: boolean;
}

export interface ServiceView {
  readonly serviceId: string;
  readonly name: string;
  readonly endpointMode: EndpointMode;
  /** The service's virtual IP on this network, without prefix length (vip mode only). */
  readonly vip?: string;
  /** Extra DNS names on this network (the spec's aliases); the name always resolves. */
  readonly aliases: readonly string[];
  readonly ports: readonly PortView[];
  readonly backends: readonly BackendView[];
}

export interface OverlayNetworkView {
  readonly networkId: string;
  readonly name: string;
  readonly vni: number;
  /** e.g. "10.0.1.0/24". */
  readonly subnet: string;
  /** e.g. "10.0.1.1". */
  readonly gateway: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  /** The MTU the user asked for (--opt com.docker.network.driver.mtu); else the node's own. */
  readonly mtu?: number;
  /** The cluster's VXLAN UDP port (`swarm init --data-path-port`), when not Docker's 4789. */
  readonly dataPathPort?: number;
  /** Every live endpoint on the network, on every node, sorted by address. */
  readonly endpoints: readonly EndpointView[];
  /** Services on the network, sorted by name. */
  readonly services: readonly ServiceView[];
}

/** A task on this node whose service publishes ports in host mode: the node binds them. */
export interface TaskHostPorts {
  readonly taskId: string;
  readonly ports: readonly PortView[];
}

export interface NodeNetworkView {
  readonly nodeId: string;
  /** Networks the node takes part in, sorted by name. */
  readonly networks: readonly OverlayNetworkView[];
  /** The node's own address on the ingress network (its ingress sandbox), e.g. "10.0.0.2/24". */
  readonly ingressAddress?: string;
  /** This node's live tasks with host-mode published ports, sorted by task ID (absent: none). */
  readonly hostPorts?: readonly TaskHostPorts[];
}

/** Docker's netutils.GenerateMACFromIP. */
export function macOf(address: string): string {
  const ip = parseCidrAddress(address)?.ip ?? parseIPv4(address) ?? 0;
  const bytes = [0x02, 0x42, ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** An endpoint's identity within a network: its task, or the node of an ingress sandbox. */
export function endpointKey(e: EndpointView): string {
  return e.kind === 'task' ? `task:${e.taskId}` : `node:${e.nodeId}`;
}

const ipOf = (address: string): number => parseCidrAddress(address)?.ip ?? parseIPv4(address) ?? 0;

/** Each endpoint's or backend's address as a number, parsed once in the object's life. */
const ipMemo = new WeakMap<object, number>();

/** An endpoint's or backend's address as a number (the first key of the view's orders). */
export function ipOfItem(item: { readonly address: string }): number {
  let ip = ipMemo.get(item);
  if (ip === undefined) {
    ip = ipOf(item.address);
    ipMemo.set(item, ip);
  }
  return ip;
}

/** Sorted by address, then `tie`; each address parsed once, not once per comparison. */
function sortedByAddress<T extends { readonly address: string }>(
  items: Iterable<T>,
  tie: (a: T, b: T) => number,
): T[] {
  return [...items].sort((a, b) => ipOfItem(a) - ipOfItem(b) || tie(a, b));
}

/** A network's endpoints in the view's order: by address, then identity. */
export function sortedEndpoints(endpoints: Iterable<EndpointView>): EndpointView[] {
  return sortedByAddress(endpoints, (a, b) => endpointKey(a).localeCompare(endpointKey(b)));
}

/** The order of `sortedEndpoints`. */
export function compareEndpoints(a: EndpointView, b: EndpointView): number {
  return ipOfItem(a) - ipOfItem(b) || endpointKey(a).localeCompare(endpointKey(b));
}

/** A service's backends in the view's order: by address, then task ID. */
export function sortedBackends(backends: Iterable<BackendView>): BackendView[] {
  return sortedByAddress(backends, (a, b) => a.taskId.localeCompare(b.taskId));
}

/** The order of `sortedBackends`. */
export function compareBackends(a: BackendView, b: BackendView): number {
  return ipOfItem(a) - ipOfItem(b) || a.taskId.localeCompare(b.taskId);
}

/** A network's services in the view's order: by name, then ID. */
export function compareServices(a: ServiceView, b: ServiceView): number {
  return a.name.localeCompare(b.name) || a.serviceId.localeCompare(b.serviceId);
}

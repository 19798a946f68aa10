// How a node's network view travels after its first full copy: an update names, for every
// network the node takes part in, whether the agent keeps the copy it holds, patches it
// (endpoints and services added, changed or removed) or takes the network whole. Networks the
// update does not name are gone. A network's patch is computed once per change and shared by
// every node that holds the network's previous state, so one task starting on a large overlay
// costs each node a few hundred bytes, not the whole network again.

import {
  sortedBackends,
  sortedEndpoints,
  compareServices,
  endpointKey,
  type BackendView,
  type EndpointView,
  type NodeNetworkView,
  type OverlayNetworkView,
  type ServiceView,
  type TaskHostPorts,
} from './network-view.js';

/** Every field of a network's view but its endpoints and services. */
export type NetworkHeader = Omit<OverlayNetworkView, 'endpoints' | 'services'>;

/** A service added or changed: its fields, and its backends that changed. */
export interface ServicePatch {
  readonly header: Omit<ServiceView, 'backends'>;
  /** Task IDs of backends that are gone. */
  readonly removedBackends: readonly string[];
  /** Backends added or changed. */
  readonly backends: readonly BackendView[];
}

export interface NetworkPatch {
  readonly header: NetworkHeader;
  /** Keys (endpointKey) of endpoints that are gone. */
  readonly removedEndpoints: readonly string[];
  /** Endpoints added or changed. */
  readonly endpoints: readonly EndpointView[];
  /** IDs of services no longer on the network. */
  readonly removedServices: readonly string[];
  /** Services added or changed (a new service's patch holds all its backends). */
  readonly services: readonly ServicePatch[];
}

export type NetworkEntry =
  { readonly keep: string } | { readonly patch: NetworkPatch } | { readonly full: OverlayNetworkView };

export interface NodeNetworkViewUpdate {
  readonly nodeId: string;
  /** Every network the node takes part in, in the view's order. */
  readonly networks: readonly NetworkEntry[];
  readonly ingressAddress?: string;
  readonly hostPorts?: readonly TaskHostPorts[];
}

/** An update that does not fit the view it is applied to: the sender's idea of it was wrong. */
export class NetworkViewUpdateError extends Error {
  override readonly name = 'NetworkViewUpdateError';
}

function headerOf(n: OverlayNetworkView): NetworkHeader {
  const { endpoints: _e, services: _s, ...header } = n;
  return header;
}

/** Equal flat records (endpoints and backends hold only strings, numbers and booleans). */
function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => ra[k] === rb[k]);
}

/** Items of `next` that are new or differ from `prev`, and keys of `prev` missing from `next`. */
function diffBy<T extends object>(
  prev: readonly T[],
  next: readonly T[],
  key: (t: T) => string,
): { put: T[]; removed: string[] } {
  const before = new Map(prev.map((t) => [key(t), t]));
  const put: T[] = [];
  const seen = new Set<string>();
  for (const t of next) {
    const k = key(t);
    seen.add(k);
    const old = before.get(k);
    if (old === undefined || !shallowEqual(old, t)) put.push(t);
  }
  return { put, removed: [...before.keys()].filter((k) => !seen.has(k)) };
}

function serviceHeaderOf(s: ServiceView): Omit<ServiceView, 'backends'> {
  const { backends: _b, ...header } = s;
  return header;
}

/** What turns `prev` into `next` (the same network). */
export function diffNetwork(prev: OverlayNetworkView, next: OverlayNetworkView): NetworkPatch {
  const endpoints = diffBy(prev.endpoints, next.endpoints, endpointKey);
  const before = new Map(prev.services.map((s) => [s.serviceId, s]));
  const services: ServicePatch[] = [];
  for (const s of next.services) {
    const old = before.get(s.serviceId);
    const backends = diffBy(old?.backends ?? [], s.backends, (b) => b.taskId);
    const header = serviceHeaderOf(s);
    const unchanged =
      old !== undefined &&
      backends.put.length === 0 &&
      backends.removed.length === 0 &&
      JSON.stringify(serviceHeaderOf(old)) === JSON.stringify(header);
    if (!unchanged) services.push({ header, removedBackends: backends.removed, backends: backends.put });
  }
  const nextIds = new Set(next.services.map((s) => s.serviceId));
  return {
    header: headerOf(next),
    removedEndpoints: endpoints.removed,
    endpoints: endpoints.put,
    removedServices: prev.services.map((s) => s.serviceId).filter((id) => !nextIds.has(id)),
    services,
  };
}

function applyServicePatch(prev: ServiceView | undefined, patch: ServicePatch): ServiceView {
  const backends = new Map((prev?.backends ?? []).map((b) => [b.taskId, b]));
  for (const id of patch.removedBackends) backends.delete(id);
  for (const b of patch.backends) backends.set(b.taskId, b);
  return { ...patch.header, backends: sortedBackends(backends.values()) };
}

/** Applies a patch; the result is ordered as the manager orders a view. */
export function applyNetworkPatch(prev: OverlayNetworkView, patch: NetworkPatch): OverlayNetworkView {
  const endpoints = new Map(prev.endpoints.map((e) => [endpointKey(e), e]));
  for (const k of patch.removedEndpoints) endpoints.delete(k);
  for (const e of patch.endpoints) endpoints.set(endpointKey(e), e);
  const services = new Map(prev.services.map((s) => [s.serviceId, s]));
  for (const id of patch.removedServices) services.delete(id);
  for (const p of patch.services)
    services.set(p.header.serviceId, applyServicePatch(services.get(p.header.serviceId), p));
  return {
    ...patch.header,
    endpoints: sortedEndpoints(endpoints.values()),
    services: [...services.values()].sort(compareServices),
  };
}

/** The view an update describes, given the view the node holds. */
export function applyViewUpdate(
  held: NodeNetworkView | undefined,
  u: NodeNetworkViewUpdate,
): NodeNetworkView {
  const byId = new Map((held?.networks ?? []).map((n) => [n.networkId, n]));
  const networks = u.networks.map((entry): OverlayNetworkView => {
    if ('full' in entry) return entry.full;
    const id = 'keep' in entry ? entry.keep : entry.patch.header.networkId;
    const base = byId.get(id);
    if (base === undefined) {
      throw new NetworkViewUpdateError(`the update changes network ${id}, which this node does not hold`);
    }
    return 'keep' in entry ? base : applyNetworkPatch(base, entry.patch);
  });
  return {
    nodeId: u.nodeId,
    networks,
    ...(u.ingressAddress === undefined ? {} : { ingressAddress: u.ingressAddress }),
    ...(u.hostPorts === undefined ? {} : { hostPorts: u.hostPorts }),
  };
}

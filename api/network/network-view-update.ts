// How a node's network view travels after its first full copy: an update names, for every
// network the node takes part in, whether the agent keeps the copy it holds, patches it
// (endpoints and services added, changed or removed) or takes the network whole. Networks the
// update does not name are gone. A network's patch is computed once per change and shared by
// every node that holds the network's previous state, so one task starting on a large overlay
// costs each node a few hundred bytes, not the whole network again.

import {
  compareBackends,
  compareEndpoints,
  compareServices,
  endpointKey,
  ipOfItem,
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
  return ka.every((k) => {
    const x = ra[k];
    const y = rb[k];
    if (x === y) return true;
    // An attachment endpoint's names: equal lists of strings.
    return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i]);
  });
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

/**
 * `prev` (in the view's order) less the items `removed` names and those `put` replaces, with
 * `put` merged in: a walk of `prev` and a sort of the (few) items put, not a sort of the whole,
 * so a patch of one endpoint to a network of thousands costs its holder little. A `prev` that
 * is out of order (not as the manager sends it) is sorted whole.
 */
function patched<T extends { readonly address: string }>(
  prev: readonly T[],
  removed: readonly string[],
  put: readonly T[],
  key: (t: T) => string,
  compare: (a: T, b: T) => number,
  dropped: (drop: ReadonlySet<string>) => (t: T) => boolean,
): readonly T[] {
  if (removed.length === 0 && put.length === 0) return prev;
  const added = [...new Map(put.map((t) => [key(t), t])).values()].sort(compare);
  const drop = new Set(removed);
  for (const t of added) drop.add(key(t));
  const isDropped = dropped(drop);
  const out: T[] = [];
  let ordered = true;
  let i = 0;
  let last: T | undefined;
  let lastIp = -1;
  // Addresses are compared as numbers first (each parsed once in an item's life); the tie
  // break runs only between equal addresses.
  let nextIp = i < added.length ? ipOfItem(added[i]!) : Infinity;
  for (const t of prev) {
    if (isDropped(t)) continue;
    const ip = ipOfItem(t);
    if (ordered && last !== undefined && (ip < lastIp || (ip === lastIp && compare(last, t) > 0)))
      ordered = false;
    while (ordered && nextIp <= ip && (nextIp < ip || compare(added[i]!, t) < 0)) {
      out.push(added[i++]!);
      nextIp = i < added.length ? ipOfItem(added[i]!) : Infinity;
    }
    out.push(t);
    last = t;
    lastIp = ip;
  }
  while (i < added.length) out.push(added[i++]!);
  return ordered ? out : out.sort(compare);
}

/** Whether an endpoint is named in `drop` (by endpointKey), without making its key. */
function droppedEndpoint(drop: ReadonlySet<string>): (e: EndpointView) => boolean {
  const tasks = new Set<string>();
  const nodes = new Set<string>();
  for (const k of drop) {
    if (k.startsWith('task:')) tasks.add(k.slice(5));
    else if (k.startsWith('node:')) nodes.add(k.slice(5));
  }
  return (e) => (e.kind === 'task' ? tasks.has(e.taskId) : nodes.has(e.nodeId));
}

const backendKey = (b: BackendView): string => b.taskId;
const droppedBackend =
  (drop: ReadonlySet<string>) =>
  (b: BackendView): boolean =>
    drop.has(b.taskId);

function applyServicePatch(prev: ServiceView | undefined, patch: ServicePatch): ServiceView {
  return {
    ...patch.header,
    backends: patched(
      prev?.backends ?? [],
      patch.removedBackends,
      patch.backends,
      backendKey,
      compareBackends,
      droppedBackend,
    ),
  };
}

/** Applies a patch; the result is ordered as the manager orders a view. */
export function applyNetworkPatch(prev: OverlayNetworkView, patch: NetworkPatch): OverlayNetworkView {
  const endpoints = patched(
    prev.endpoints,
    patch.removedEndpoints,
    patch.endpoints,
    endpointKey,
    compareEndpoints,
    droppedEndpoint,
  );
  let services = prev.services;
  if (patch.removedServices.length > 0 || patch.services.length > 0) {
    const byId = new Map(prev.services.map((s) => [s.serviceId, s]));
    for (const id of patch.removedServices) byId.delete(id);
    for (const p of patch.services)
      byId.set(p.header.serviceId, applyServicePatch(byId.get(p.header.serviceId), p));
    services = [...byId.values()].sort(compareServices);
  }
  return { ...patch.header, endpoints, services };
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

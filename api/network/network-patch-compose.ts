// Two patches of one network as one: what `b` makes of what `a` made, from the view `a` was
// made for. A node that missed some steps of a network's view (it was still reading earlier
// messages) is sent the steps it missed as one patch, not the whole network again.
//
// applyNetworkPatch drops what a patch removes or puts, then adds what it puts (endpoints by
// endpointKey, services by ID, a service's backends by task ID), so for every key the later
// patch wins: removed by `b` is removed, put by `b` is put, and what `b` leaves alone keeps what
// `a` did to it. A key both removed and put is put (the removal changes nothing then).

import { endpointKey, type BackendView, type EndpointView } from './network-view.js';
import type { NetworkPatch, ServicePatch } from './network-view-update.js';

/** Keys removed by either patch, and items put, the later patch's winning. */
function composeKeyed<T>(
  removedA: readonly string[],
  putA: readonly T[],
  removedB: readonly string[],
  putB: readonly T[],
  key: (t: T) => string,
): { removed: string[]; put: T[] } {
  const put = new Map<string, T>();
  for (const t of putA) put.set(key(t), t);
  for (const k of removedB) put.delete(k);
  for (const t of putB) put.set(key(t), t);
  const removed = new Set(removedA);
  for (const k of removedB) removed.add(k);
  for (const k of put.keys()) removed.delete(k);
  return { removed: [...removed], put: [...put.values()] };
}

function composeService(a: ServicePatch, b: ServicePatch): ServicePatch {
  const backends = composeKeyed(
    a.removedBackends,
    a.backends,
    b.removedBackends,
    b.backends,
    (x: BackendView) => x.taskId,
  );
  return { header: b.header, removedBackends: backends.removed, backends: backends.put };
}

/** One patch doing what `a` then `b` do. */
export function composeNetworkPatches(a: NetworkPatch, b: NetworkPatch): NetworkPatch {
  const endpoints = composeKeyed(
    a.removedEndpoints,
    a.endpoints,
    b.removedEndpoints,
    b.endpoints,
    (e: EndpointView) => endpointKey(e),
  );
  const services = new Map<string, ServicePatch>();
  for (const s of a.services) services.set(s.header.serviceId, s);
  const removedServices = new Set(a.removedServices);
  for (const id of b.removedServices) {
    services.delete(id);
    removedServices.add(id);
  }
  for (const s of b.services) {
    const id = s.header.serviceId;
    const before = services.get(id);
    // A service `b` puts after removing it (or `a` removed) starts from nothing: `b` holds it whole.
    services.set(id, before === undefined || b.removedServices.includes(id) ? s : composeService(before, s));
  }
  return {
    header: b.header,
    removedEndpoints: endpoints.removed,
    endpoints: endpoints.put,
    // A service removed and put again stays in both: removed first, then put whole.
    removedServices: [...removedServices],
    services: [...services.values()],
  };
}

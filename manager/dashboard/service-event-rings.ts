// Each service's recent events (task state changes, scale, update), kept in memory for the
// dashboard: a ring of the last `perService` events for each of at most `maxServices`
// services; the service that had an event longest ago is forgotten first. Memory is bounded
// whatever the cluster does: perService × maxServices events.

import type { ServiceEvent } from './deltas.js';

export const EVENTS_PER_SERVICE = 50;
export const MAX_TRACKED_SERVICES = 256;

export class ServiceEventRings {
  readonly perService: number;
  readonly maxServices: number;
  /** Map order is recency: a service with a new event is moved to the end. */
  readonly #rings = new Map<string, ServiceEvent[]>();

  constructor(perService = EVENTS_PER_SERVICE, maxServices = MAX_TRACKED_SERVICES) {
    if (!Number.isInteger(perService) || perService < 1) throw new RangeError('perService must be >= 1');
    if (!Number.isInteger(maxServices) || maxServices < 1) throw new RangeError('maxServices must be >= 1');
    this.perService = perService;
    this.maxServices = maxServices;
  }

  get trackedServices(): number {
    return this.#rings.size;
  }

  add(e: ServiceEvent): void {
    const ring = this.#rings.get(e.serviceId) ?? [];
    this.#rings.delete(e.serviceId);
    ring.push(e);
    if (ring.length > this.perService) ring.splice(0, ring.length - this.perService);
    this.#rings.set(e.serviceId, ring);
    while (this.#rings.size > this.maxServices) {
      const oldest = this.#rings.keys().next().value;
      if (oldest === undefined) break;
      this.#rings.delete(oldest);
    }
  }

  /** The service's kept events, oldest first. */
  recent(serviceId: string): readonly ServiceEvent[] {
    return [...(this.#rings.get(serviceId) ?? [])];
  }

  forget(serviceId: string): void {
    this.#rings.delete(serviceId);
  }
}

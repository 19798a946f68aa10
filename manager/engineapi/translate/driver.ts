// Docker's Driver ({Name, Options}) of secrets and configs (Driver, Templating) and the store's.

import type { Driver } from '../../store/index.js';

export function driverToStore(d: { Name?: string; Options?: Record<string, string> }): Driver {
  return { name: d.Name ?? '', options: { ...(d.Options ?? {}) } };
}

/** Options left out when there are none, as Go's omitempty does. */
export function driverFromStore(d: Driver): { Name: string; Options?: Record<string, string> } {
  return Object.keys(d.options).length === 0 ? { Name: d.name } : { Name: d.name, Options: { ...d.options } };
}

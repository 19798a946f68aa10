// Name resolution shared by commands: "self" for nodes, service names to IDs, and ID->name
// maps for task tables.
import { DaemonError } from '../client/errors.js';
import type { DockerApi } from '../client/docker-api.js';
import type { DockerNode, DockerService, DockerTask } from '../client/types.js';

/** `self` means the local node, as in `docker node inspect self`. */
export async function resolveNodeRef(api: DockerApi, ref: string): Promise<string> {
  if (ref !== 'self') return ref;
  const info = await api.info();
  return info.Swarm.NodeID;
}

export function nodeNameMap(nodes: readonly DockerNode[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const n of nodes) {
    const host = n.Description?.Hostname ?? '';
    names.set(n.ID, host !== '' ? host : n.ID);
  }
  return names;
}

/** Service names for the tasks' services; services that are gone keep their ID. */
export async function serviceNamesFor(
  api: DockerApi,
  tasks: readonly DockerTask[],
  known: readonly DockerService[] = [],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const s of known) names.set(s.ID, s.Spec.Name ?? s.ID);
  const missing = [...new Set(tasks.map((t) => t.ServiceID))].filter((id) => !names.has(id));
  if (missing.length > 0) {
    for (const s of await api.serviceList()) names.set(s.ID, s.Spec.Name ?? s.ID);
  }
  return names;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof DaemonError && e.notFound;
}

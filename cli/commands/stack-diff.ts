// Whether a service of a stack needs an update: the spec the compose file asks for against
// the one the swarm holds, both without the empty parts (an absent list and an empty one, an
// absent map and an empty one mean the same to Docker).
import type { DockerServiceSpec } from '../client/types.js';

function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p === undefined || p === null) continue;
      if (Array.isArray(p) && p.length === 0) continue;
      if (
        typeof p === 'object' &&
        !Array.isArray(p) &&
        Object.keys(p).length === 0 &&
        k !== 'Global' &&
        k !== 'GlobalJob'
      )
        continue;
      out[k] = p;
    }
    return out;
  }
  return v;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

export function serviceSpecDiffers(desired: DockerServiceSpec, current: DockerServiceSpec): boolean {
  return canonical(prune(desired)) !== canonical(prune(current));
}

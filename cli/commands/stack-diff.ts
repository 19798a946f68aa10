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

const DEFAULT_RESTART = canonical({ Condition: 'any', Delay: 5e9, MaxAttempts: 0 });
/** The privileges the daemon reads back for a spec that gave none (pruned). */
const DEFAULT_PRIVILEGES_VARIANTS = [
  { NoNewPrivileges: false },
  { NoNewPrivileges: false, Seccomp: { Mode: 'default' }, AppArmor: { Mode: 'default' } },
].map((p) => canonical(p));

/**
 * The desired spec as the daemon stores it: network names become the IDs the daemon answers
 * with, and where the file says nothing the daemon's defaults (runtime, restart policy, VIP
 * endpoint mode) stand, when the current spec holds exactly those defaults.
 */
function asStored(
  desired: DockerServiceSpec,
  current: DockerServiceSpec,
  networkIds: ReadonlyMap<string, string>,
): DockerServiceSpec {
  const task = { ...desired.TaskTemplate };
  const cur = current.TaskTemplate ?? {};
  if (task.Networks !== undefined)
    task.Networks = task.Networks.map((n) => ({
      ...n,
      Target: networkIds.get(n.Target ?? '') ?? n.Target ?? '',
    }));
  if (task.Runtime === undefined && cur.Runtime === 'container') task.Runtime = 'container';
  // What the daemon reads back for a container spec that said nothing of them (as Docker does).
  const container = task.ContainerSpec;
  const curContainer = cur.ContainerSpec;
  if (container !== undefined && curContainer !== undefined) {
    const filled = { ...container };
    if (filled.Isolation === undefined && curContainer.Isolation === 'default') filled.Isolation = 'default';
    if (
      filled.Privileges === undefined &&
      curContainer.Privileges !== undefined &&
      DEFAULT_PRIVILEGES_VARIANTS.includes(canonical(prune(curContainer.Privileges)))
    )
      filled.Privileges = curContainer.Privileges;
    task.ContainerSpec = filled;
  }
  if (
    task.RestartPolicy === undefined &&
    cur.RestartPolicy !== undefined &&
    canonical(prune(cur.RestartPolicy)) === DEFAULT_RESTART
  )
    task.RestartPolicy = cur.RestartPolicy;
  const out: DockerServiceSpec = { ...desired, TaskTemplate: task };
  if (desired.EndpointSpec?.Mode === undefined && current.EndpointSpec?.Mode === 'vip')
    out.EndpointSpec = { ...desired.EndpointSpec, Mode: 'vip' };
  return out;
}

export function serviceSpecDiffers(
  desired: DockerServiceSpec,
  current: DockerServiceSpec,
  networkIds: ReadonlyMap<string, string>,
): boolean {
  return canonical(prune(asStored(desired, current, networkIds))) !== canonical(prune(current));
}

// The `deploy:` section of a compose service as the parts of a Docker ServiceSpec: mode and
// replicas, placement, resources, update/rollback config, restart policy, endpoint mode.
import { parseGoDuration } from '../format/go-duration.js';
import { ramInBytes } from '../format/byte-units.js';
import type {
  DockerPlacement,
  DockerRestartPolicy,
  DockerServiceMode,
  DockerTaskSpec,
  DockerUpdateConfig,
} from '../client/types.js';
import { isObj, num, obj, str, strList, type Obj } from './values.js';

export class TranslateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranslateError';
  }
}

export function duration(v: unknown, what: string): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  try {
    return parseGoDuration(s === '0' ? '0s' : s);
  } catch (e: unknown) {
    throw new TranslateError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function bytes(v: unknown, what: string): number | undefined {
  if (typeof v === 'number') return v;
  const s = str(v);
  if (s === undefined) return undefined;
  try {
    return ramInBytes(s);
  } catch {
    throw new TranslateError(`${what}: invalid size ${JSON.stringify(s)}`);
  }
}

function nanoCpus(v: unknown, what: string): number | undefined {
  const n = num(v);
  if (v === undefined) return undefined;
  if (n === undefined || n < 0) throw new TranslateError(`${what}: invalid cpus ${JSON.stringify(v)}`);
  return Math.round(n * 1e9);
}

export function serviceMode(deploy: Obj, service: string): DockerServiceMode {
  const mode = str(deploy['mode']) ?? 'replicated';
  const replicas = num(deploy['replicas']);
  switch (mode) {
    case 'replicated':
      return { Replicated: { Replicas: replicas ?? 1 } };
    case 'global':
      if (replicas !== undefined)
        throw new TranslateError(
          `service ${service}: replicas can only be used with replicated or replicated-job mode`,
        );
      return { Global: {} };
    case 'replicated-job':
      return { ReplicatedJob: { MaxConcurrent: replicas ?? 1, TotalCompletions: replicas ?? 1 } };
    case 'global-job':
      return { GlobalJob: {} };
    default:
      throw new TranslateError(`service ${service}: unknown mode: ${mode}`);
  }
}

export function placement(deploy: Obj): DockerPlacement | undefined {
  const p = obj(deploy['placement']);
  const out: DockerPlacement = {};
  const constraints = strList(p['constraints']);
  if (constraints.length > 0) out.Constraints = constraints;
  const prefs = Array.isArray(p['preferences']) ? p['preferences'] : [];
  const spreads = prefs
    .map((x: unknown) => str(obj(x)['spread']))
    .filter((x): x is string => x !== undefined);
  if (spreads.length > 0) out.Preferences = spreads.map((s) => ({ Spread: { SpreadDescriptor: s } }));
  const max = num(p['max_replicas_per_node']);
  if (max !== undefined) out.MaxReplicas = max;
  return Object.keys(out).length > 0 ? out : undefined;
}

export function resources(deploy: Obj, service: string): DockerTaskSpec['Resources'] | undefined {
  const r = obj(deploy['resources']);
  const where = `service ${service}: deploy.resources`;
  const out: NonNullable<DockerTaskSpec['Resources']> = {};
  if (isObj(r['limits'])) {
    const l = r['limits'];
    const limits: NonNullable<NonNullable<DockerTaskSpec['Resources']>['Limits']> = {};
    const cpus = nanoCpus(l['cpus'], `${where}.limits.cpus`);
    if (cpus !== undefined) limits.NanoCPUs = cpus;
    const mem = bytes(l['memory'], `${where}.limits.memory`);
    if (mem !== undefined) limits.MemoryBytes = mem;
    const pids = num(l['pids']);
    if (pids !== undefined) limits.Pids = pids;
    out.Limits = limits;
  }
  if (isObj(r['reservations'])) {
    const x = r['reservations'];
    const res: NonNullable<NonNullable<DockerTaskSpec['Resources']>['Reservations']> = {};
    const cpus = nanoCpus(x['cpus'], `${where}.reservations.cpus`);
    if (cpus !== undefined) res.NanoCPUs = cpus;
    const mem = bytes(x['memory'], `${where}.reservations.memory`);
    if (mem !== undefined) res.MemoryBytes = mem;
    const generic = Array.isArray(x['generic_resources']) ? x['generic_resources'] : [];
    if (generic.length > 0) {
      res.GenericResources = generic.map((g: unknown) => {
        const d = obj(obj(g)['discrete_resource_spec']);
        return { DiscreteResourceSpec: { Kind: str(d['kind']) ?? '', Value: num(d['value']) ?? 0 } };
      });
    }
    out.Reservations = res;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function updateConfig(v: unknown, what: string): DockerUpdateConfig | undefined {
  if (!isObj(v)) return undefined;
  // The docker CLI sends Parallelism 1 unless the file says otherwise.
  const out: DockerUpdateConfig = { Parallelism: num(v['parallelism']) ?? 1 };
  const delay = duration(v['delay'], `${what}.delay`);
  if (delay !== undefined) out.Delay = delay;
  const action = str(v['failure_action']);
  if (action !== undefined) out.FailureAction = action;
  const monitor = duration(v['monitor'], `${what}.monitor`);
  if (monitor !== undefined) out.Monitor = monitor;
  const ratio = num(v['max_failure_ratio']);
  if (ratio !== undefined) out.MaxFailureRatio = ratio;
  const order = str(v['order']);
  if (order !== undefined) out.Order = order;
  return out;
}

export function restartPolicy(service: Obj, name: string): DockerRestartPolicy | undefined {
  const rp = obj(service['deploy'])['restart_policy'];
  if (isObj(rp)) {
    const out: DockerRestartPolicy = {};
    const cond = str(rp['condition']);
    if (cond !== undefined) out.Condition = cond;
    const delay = duration(rp['delay'], `service ${name}: restart_policy.delay`);
    if (delay !== undefined) out.Delay = delay;
    const max = num(rp['max_attempts']);
    if (max !== undefined) out.MaxAttempts = max;
    const window = duration(rp['window'], `service ${name}: restart_policy.window`);
    if (window !== undefined) out.Window = window;
    return out;
  }
  // Without deploy.restart_policy the service-level `restart:` says it (as the docker CLI reads it).
  const restart = str(service['restart']);
  if (restart === undefined) return undefined;
  if (restart === 'no') return { Condition: 'none' };
  if (restart === 'always' || restart === 'unless-stopped') return { Condition: 'any' };
  const m = /^on-failure(?::(\d+))?$/.exec(restart);
  if (m !== null)
    return { Condition: 'on-failure', ...(m[1] !== undefined ? { MaxAttempts: Number(m[1]) } : {}) };
  throw new TranslateError(`service ${name}: unknown restart policy: ${restart}`);
}

// Where shoal and the node's engine both own a part, the answer merges them as dockerd does in
// swarm mode: networks are the engine's local ones plus the swarm's, /info is the engine's with
// the Swarm section (and shoal's identity), /version lists shoal and the engine's components.

import { ApiError } from '../errors.js';
import { engineJson, engineRequest, EngineUnreachableError, type LocalEngine } from '../local-engine.js';
import { resolveNetworkId } from '../resolve.js';
import type { SwarmControl } from '../swarm-control.js';

/** Drivers whose networks live on one engine (dockerd creates them locally, not in the swarm). */
export const LOCAL_NETWORK_DRIVERS: readonly string[] = ['bridge', 'macvlan', 'ipvlan', 'host', 'null'];

/**
 * The label the agent puts on the engine's copy of a cluster network (its cluster ID; the
 * agent's network driver protocol names it OPT_NETWORK_ID). A listing shows the swarm network
 * once, not also its copy.
 */
export const ENGINE_COPY_LABEL = 'io.shoal.network.id';

type Json = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function activeManager(control: SwarmControl): boolean {
  return control.localNodeState() === 'active' && control.isManager();
}

/** Whether a network create goes to the engine: a local driver (none given is one) or scope. */
export function createsOnEngine(body: { readonly Driver?: string; readonly Scope?: string }): boolean {
  if (body.Scope === 'local') return true;
  if (body.Scope === 'swarm') return false;
  const driver = body.Driver ?? '';
  // No driver is dockerd's default driver, a local bridge, in a swarm too (the docker CLI sends
  // "bridge" itself; SDKs may send nothing). A swarm network needs `-d overlay` or `scope=swarm`.
  return driver === '' || LOCAL_NETWORK_DRIVERS.includes(driver);
}

/** Whether the swarm holds the network `idOrName` (read from this manager's copy). */
export function swarmHasNetwork(control: SwarmControl, idOrName: string, scope = ''): boolean {
  if (scope === 'local' || !activeManager(control)) return false;
  return control.store().view((tx) => {
    try {
      resolveNetworkId(tx, idOrName);
      return true;
    } catch (e: unknown) {
      // Anything but "not found" (an ambiguous prefix) is the swarm's to answer.
      return !(e instanceof ApiError && e.statusCode === 404);
    }
  });
}

/**
 * The engine's networks for GET /networks (its own filters applied by it), without its copies
 * of the swarm networks listed beside them. Throws the engine's refusal as it gave it.
 */
export async function engineNetworks(
  engine: LocalEngine,
  filters: string | undefined,
  swarmIds: ReadonlySet<string>,
): Promise<unknown[]> {
  const query = filters === undefined || filters === '' ? '' : `?filters=${encodeURIComponent(filters)}`;
  const a = await engineRequest(engine, 'GET', `/networks${query}`);
  let body: unknown;
  try {
    body = JSON.parse(a.body.toString('utf8')) as unknown;
  } catch {
    throw new EngineUnreachableError(engine.socketPath, 'its answer to GET /networks is not JSON');
  }
  if (a.status !== 200) {
    const message = isObject(body) && typeof body.message === 'string' ? body.message : `status ${a.status}`;
    throw new ApiError(a.status, message);
  }
  if (!Array.isArray(body)) return [];
  return (body as unknown[]).filter((n) => {
    if (!isObject(n)) return false;
    const labels = n.Labels;
    const copyOf = isObject(labels) ? labels[ENGINE_COPY_LABEL] : undefined;
    return typeof copyOf !== 'string' || !swarmIds.has(copyOf);
  });
}

/** Fields of /info that are shoal's even when the engine answers the rest. */
const SHOAL_INFO_FIELDS = ['ID', 'Name', 'ServerVersion', 'Swarm', 'SystemTime'] as const;

/** The engine's /info with shoal's identity and Swarm section, or shoal's alone if it is down. */
export async function mergedInfo<T extends Json>(engine: LocalEngine | undefined, own: T): Promise<T> {
  if (engine === undefined) return own;
  const fromEngine = await engineJson(engine, '/info');
  if (!isObject(fromEngine)) return own;
  const merged: Record<string, unknown> = { ...own, ...fromEngine };
  for (const k of SHOAL_INFO_FIELDS) merged[k] = own[k];
  return merged as T;
}

/** shoal's /version with the engine's components after its own (the engine's as "Docker Engine"). */
export async function mergedVersion<T extends Json & { readonly Components?: readonly unknown[] }>(
  engine: LocalEngine | undefined,
  own: T,
): Promise<T> {
  if (engine === undefined) return own;
  const fromEngine = await engineJson(engine, '/version');
  if (!isObject(fromEngine) || !Array.isArray(fromEngine.Components)) return own;
  const components = fromEngine.Components.filter(isObject).map((c) =>
    c.Name === 'Engine' ? { ...c, Name: 'Docker Engine' } : c,
  );
  return { ...own, Components: [...(own.Components ?? []), ...components] };
}

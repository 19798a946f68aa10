// TaskSpec: Docker's TaskTemplate <-> the store's taskTemplate (resources, restart policy,
// placement, networks, log driver). The store always holds a restart policy and a placement;
// where Docker's request leaves them out, swarmkit's defaults are filled in.

import type {
  GenericResource,
  NetworkAttachmentConfig,
  Placement,
  ResourceRequirements,
  Resources,
  RestartCondition,
  RestartPolicy,
  TaskSpec,
} from '../../store/index.js';
import { invalidParameter } from '../errors.js';
import type {
  DockerNetworkAttachmentConfig,
  DockerPlacement,
  DockerResources,
  DockerRestartPolicy,
  DockerTaskSpec,
} from '../../../api/docker/service-spec.js';
import { containerSpecFromStore, containerSpecToStore } from './container-spec.js';
import { durationToStore, msToNs } from './duration.js';

/** swarmkit's default restart policy: any, 5 s delay, unlimited attempts, no window. */
export const DEFAULT_RESTART_DELAY_MS = 5000;

const CONDITIONS: readonly RestartCondition[] = ['none', 'on-failure', 'any'];

function restartToStore(p: DockerRestartPolicy | undefined): RestartPolicy {
  const condition = p?.Condition ?? '';
  if (condition !== '' && !(CONDITIONS as readonly string[]).includes(condition)) {
    throw invalidParameter(`invalid RestartCondition: ${JSON.stringify(condition)}`);
  }
  const delay = p?.Delay === undefined ? { ms: DEFAULT_RESTART_DELAY_MS } : durationToStore(p.Delay);
  const window = p?.Window === undefined ? { ms: 0 } : durationToStore(p.Window);
  const out: RestartPolicy = {
    condition: condition === '' ? 'any' : (condition as RestartCondition),
    delay: delay.ms,
    maxAttempts: p?.MaxAttempts ?? 0,
    window: window.ms,
  };
  const given: NonNullable<RestartPolicy['given']> = {};
  if (delay.ns !== undefined) given.delayNs = delay.ns;
  if (p?.Window !== undefined && (window.ns !== undefined || p.Window === 0)) given.windowNs = p.Window;
  if (Object.keys(given).length > 0) out.given = given;
  return out;
}

/** Delay and Window read back as given, to the nanosecond; a Window left out stays out. */
function restartFromStore(p: RestartPolicy): DockerRestartPolicy {
  const out: DockerRestartPolicy = {
    Condition: p.condition,
    Delay: p.given?.delayNs ?? msToNs(p.delay),
    MaxAttempts: p.maxAttempts,
  };
  const window = p.given?.windowNs ?? (p.window !== 0 ? msToNs(p.window) : undefined);
  if (window !== undefined) out.Window = window;
  return out;
}

function genericToStore(r: DockerResources['GenericResources']): GenericResource[] {
  const out: GenericResource[] = [];
  for (const g of r ?? []) {
    if (g.DiscreteResourceSpec !== undefined) {
      out.push({
        kind: 'discrete',
        resourceKind: g.DiscreteResourceSpec.Kind ?? '',
        value: g.DiscreteResourceSpec.Value ?? 0,
      });
    } else if (g.NamedResourceSpec !== undefined) {
      out.push({
        kind: 'named',
        resourceKind: g.NamedResourceSpec.Kind ?? '',
        value: g.NamedResourceSpec.Value ?? '',
      });
    }
  }
  return out;
}

function genericFromStore(g: readonly GenericResource[]): NonNullable<DockerResources['GenericResources']> {
  return g.map((r) =>
    r.kind === 'discrete'
      ? { DiscreteResourceSpec: { Kind: r.resourceKind, Value: r.value } }
      : { NamedResourceSpec: { Kind: r.resourceKind, Value: r.value } },
  );
}

function resourcesToStore(r: NonNullable<DockerTaskSpec['Resources']> | undefined): ResourceRequirements {
  const out: ResourceRequirements = {};
  if (r?.Limits !== undefined) {
    out.limits = { nanoCPUs: r.Limits.NanoCPUs ?? 0, memoryBytes: r.Limits.MemoryBytes ?? 0, generic: [] };
    const pids = r.Limits.Pids ?? 0;
    if (pids !== 0) out.pidsLimit = pids;
  }
  if (r?.Reservations !== undefined) {
    out.reservations = {
      nanoCPUs: r.Reservations.NanoCPUs ?? 0,
      memoryBytes: r.Reservations.MemoryBytes ?? 0,
      generic: genericToStore(r.Reservations.GenericResources),
    };
  }
  // Pointers in Docker: a given 0 is kept (0 swap differs from the engine's default).
  if (r?.SwapBytes !== undefined) out.swapBytes = r.SwapBytes;
  if (r?.MemorySwappiness !== undefined) out.memorySwappiness = r.MemorySwappiness;
  return out;
}

function amounts(r: Resources): { NanoCPUs?: number; MemoryBytes?: number } {
  const out: { NanoCPUs?: number; MemoryBytes?: number } = {};
  if (r.nanoCPUs !== 0) out.NanoCPUs = r.nanoCPUs;
  if (r.memoryBytes !== 0) out.MemoryBytes = r.memoryBytes;
  return out;
}

function resourcesFromStore(r: ResourceRequirements): NonNullable<DockerTaskSpec['Resources']> {
  const out: NonNullable<DockerTaskSpec['Resources']> = {};
  if (r.limits !== undefined) {
    const limits: NonNullable<typeof out.Limits> = amounts(r.limits);
    if (r.pidsLimit !== undefined) limits.Pids = r.pidsLimit;
    out.Limits = limits;
  }
  if (r.reservations !== undefined) {
    const res: DockerResources = amounts(r.reservations);
    if (r.reservations.generic.length > 0) res.GenericResources = genericFromStore(r.reservations.generic);
    out.Reservations = res;
  }
  if (r.swapBytes !== undefined) out.SwapBytes = r.swapBytes;
  if (r.memorySwappiness !== undefined) out.MemorySwappiness = r.memorySwappiness;
  return out;
}

function placementToStore(p: DockerPlacement | undefined): Placement {
  return {
    constraints: [...(p?.Constraints ?? [])],
    preferences: (p?.Preferences ?? [])
      .filter((pref) => pref.Spread !== undefined)
      .map((pref) => ({ spread: pref.Spread?.SpreadDescriptor ?? '' })),
    maxReplicas: p?.MaxReplicas ?? 0,
    platforms: (p?.Platforms ?? []).map((x) => ({ architecture: x.Architecture ?? '', os: x.OS ?? '' })),
  };
}

function placementFromStore(p: Placement): DockerPlacement {
  const out: DockerPlacement = {};
  if (p.constraints.length > 0) out.Constraints = [...p.constraints];
  if (p.preferences.length > 0)
    out.Preferences = p.preferences.map((x) => ({ Spread: { SpreadDescriptor: x.spread } }));
  if (p.maxReplicas !== 0) out.MaxReplicas = p.maxReplicas;
  if (p.platforms.length > 0) {
    out.Platforms = p.platforms.map((x) => ({ Architecture: x.architecture, OS: x.os }));
  }
  return out;
}

export function networksToStore(
  n: readonly DockerNetworkAttachmentConfig[] | undefined,
): NetworkAttachmentConfig[] {
  return (n ?? []).map((x) => ({
    target: x.Target ?? '',
    aliases: [...(x.Aliases ?? [])],
    driverOpts: { ...(x.DriverOpts ?? {}) },
  }));
}

export function networksFromStore(n: readonly NetworkAttachmentConfig[]): DockerNetworkAttachmentConfig[] {
  return n.map((x) => {
    const out: DockerNetworkAttachmentConfig = { Target: x.target };
    if (x.aliases.length > 0) out.Aliases = [...x.aliases];
    if (Object.keys(x.driverOpts).length > 0) out.DriverOpts = { ...x.driverOpts };
    return out;
  });
}

/**
 * Docker's TaskSpec to the store's. The deprecated ServiceSpec.Networks is not read here: the
 * route moves it into TaskTemplate.Networks or drops it by API version (api-version-spec.ts).
 */
export function taskSpecToStore(t: DockerTaskSpec | undefined): TaskSpec {
  const runtime = t?.Runtime ?? '';
  if (runtime === 'plugin') throw invalidParameter('runtime type "plugin" only supported in experimental');
  if (runtime !== '' && runtime !== 'container') throw invalidParameter('unsupported runtime');
  if (t?.ContainerSpec === undefined) throw invalidParameter('mismatched Runtime and *Spec fields');
  const out: TaskSpec = {
    containerSpec: containerSpecToStore(t.ContainerSpec),
    resources: resourcesToStore(t.Resources),
    restartPolicy: restartToStore(t.RestartPolicy),
    placement: placementToStore(t.Placement),
    networks: networksToStore(t.Networks),
    forceUpdate: t.ForceUpdate ?? 0,
  };
  if (t.LogDriver !== undefined)
    out.logDriver = { name: t.LogDriver.Name ?? '', options: { ...(t.LogDriver.Options ?? {}) } };
  return out;
}

export function taskSpecFromStore(t: TaskSpec): DockerTaskSpec {
  const out: DockerTaskSpec = {
    // A network attachment runs no container of its own: Docker shows its container's ID.
    ...(t.attachment === undefined
      ? { ContainerSpec: containerSpecFromStore(t.containerSpec) }
      : { NetworkAttachmentSpec: { ContainerID: t.attachment.containerId } }),
    Resources: resourcesFromStore(t.resources),
    RestartPolicy: restartFromStore(t.restartPolicy),
    Placement: placementFromStore(t.placement),
  };
  if (t.networks.length > 0) out.Networks = networksFromStore(t.networks);
  if (t.logDriver !== undefined)
    out.LogDriver = { Name: t.logDriver.name, Options: { ...t.logDriver.options } };
  out.ForceUpdate = t.forceUpdate;
  out.Runtime = t.attachment === undefined ? 'container' : 'attachment';
  return out;
}

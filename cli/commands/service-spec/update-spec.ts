// `service update` flags applied to a service's current spec, the way the docker CLI's
// updateService does it: only flags that were given change anything.
import type {
  DockerContainerSpec,
  DockerMount,
  DockerNetworkAttachmentConfig,
  DockerPortConfig,
  DockerServiceSpec,
} from '../../client/types.js';
import { normalizeImageForSpec } from '../../format/image-ref.js';
import { CliError } from '../cli-error.js';
import {
  expandEnv,
  keyOf,
  keyValueMap,
  meshClientIpLabel,
  parseChoice,
  parseDuration,
  parseUint,
} from './flag-values.js';
import { parseMountSpec } from './mount-spec.js';
import { parsePortSpec } from './port-spec.js';
import type { ServiceFlags } from './service-flags.js';
import { splitShellWords } from './shell-words.js';
import {
  applyHealthcheck,
  applyResources,
  applyRestartPolicy,
  applyUpdateConfig,
  defaultRestartPolicy,
  defaultUpdateConfig,
  hasRestartFlags,
  hasUpdateConfigFlags,
  parseNetwork,
  parsePlacementPref,
} from './spec-parts.js';

function updateLabels(
  current: Readonly<Record<string, string>> | undefined,
  add: readonly string[],
  remove: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = { ...(current ?? {}) };
  Object.assign(out, keyValueMap(add));
  for (const key of remove) delete out[key];
  return out;
}

/** --env-rm then --env-add: removals by key; additions replace the same key in place. */
export function updateEnv(
  current: readonly string[] | undefined,
  add: readonly string[],
  remove: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const removeKeys = new Set(remove.map(keyOf));
  const out = (current ?? []).filter((e) => !removeKeys.has(keyOf(e)) && !remove.includes(e));
  for (const raw of add) {
    const item = expandEnv(raw, env);
    const i = out.findIndex((e) => keyOf(e) === keyOf(item));
    if (i >= 0) out[i] = item;
    else out.push(item);
  }
  return out;
}

/** --publish-rm (by target port, "80" or "80/udp" or long form), then --publish-add. */
export function updatePorts(
  current: readonly DockerPortConfig[] | undefined,
  add: readonly string[],
  remove: readonly string[],
): DockerPortConfig[] {
  const toRemove = remove.flatMap((r) => {
    if (/^\d+(\/\w+)?$/.test(r)) {
      const [port, proto] = r.split('/');
      return [{ TargetPort: Number(port), Protocol: proto ?? 'tcp' }];
    }
    return parsePortSpec(r).map((p) => ({ TargetPort: p.TargetPort, Protocol: p.Protocol ?? 'tcp' }));
  });
  let out = (current ?? []).filter(
    (p) => !toRemove.some((r) => r.TargetPort === p.TargetPort && r.Protocol === (p.Protocol ?? 'tcp')),
  );
  for (const p of add.flatMap(parsePortSpec)) {
    out = out.filter(
      (e) =>
        !(
          (e.PublishedPort ?? 0) !== 0 &&
          e.PublishedPort === p.PublishedPort &&
          (e.Protocol ?? 'tcp') === (p.Protocol ?? 'tcp')
        ),
    );
    out.push(p);
  }
  return out;
}

function updateList(
  current: readonly string[] | undefined,
  add: readonly string[],
  remove: readonly string[],
): string[] {
  const out = (current ?? []).filter((c) => !remove.includes(c));
  for (const a of add) if (!out.includes(a)) out.push(a);
  return out;
}

function updateMounts(
  current: readonly DockerMount[] | undefined,
  add: readonly string[],
  remove: readonly string[],
): DockerMount[] {
  const added = add.map(parseMountSpec);
  const out = (current ?? []).filter(
    (m) =>
      !(m.Target !== undefined && remove.includes(m.Target)) && !added.some((a) => a.Target === m.Target),
  );
  return [...out, ...added];
}

function updateNetworks(
  current: readonly DockerNetworkAttachmentConfig[] | undefined,
  add: readonly string[],
  remove: readonly string[],
): DockerNetworkAttachmentConfig[] {
  const out = (current ?? []).filter((n) => !(n.Target !== undefined && remove.includes(n.Target)));
  for (const n of add.map(parseNetwork)) {
    if (out.some((e) => e.Target === n.Target)) {
      throw new CliError(`service is already attached to network ${n.Target}`, 'NETWORK_ATTACHED');
    }
    out.push(n);
  }
  return out;
}

export function applyUpdateFlags(
  spec: DockerServiceSpec,
  flags: ServiceFlags,
  env: Readonly<Record<string, string | undefined>> = {},
): DockerServiceSpec {
  const next: DockerServiceSpec = structuredClone(spec);
  const task = next.TaskTemplate ?? {};
  next.TaskTemplate = task;
  const cs: DockerContainerSpec = task.ContainerSpec ?? { Image: '' };
  task.ContainerSpec = cs;

  if ((flags.labelAdd ?? []).length > 0 || (flags.labelRm ?? []).length > 0) {
    next.Labels = updateLabels(next.Labels, flags.labelAdd ?? [], flags.labelRm ?? []);
  }
  if (flags.meshClientIp !== undefined)
    next.Labels = { ...(next.Labels ?? {}), ...meshClientIpLabel(flags.meshClientIp) };
  if ((flags.containerLabelAdd ?? []).length > 0 || (flags.containerLabelRm ?? []).length > 0) {
    cs.Labels = updateLabels(cs.Labels, flags.containerLabelAdd ?? [], flags.containerLabelRm ?? []);
  }
  if (flags.image !== undefined) cs.Image = normalizeImageForSpec(flags.image);
  if (flags.args !== undefined) cs.Args = splitShellWords(flags.args);
  if (flags.entrypoint !== undefined) cs.Command = splitShellWords(flags.entrypoint);
  if ((flags.envAdd ?? []).length > 0 || (flags.envRm ?? []).length > 0) {
    cs.Env = updateEnv(cs.Env, flags.envAdd ?? [], flags.envRm ?? [], env);
    if (cs.Env.length === 0) delete cs.Env;
  }
  if (flags.workdir !== undefined) cs.Dir = flags.workdir;
  if (flags.user !== undefined) cs.User = flags.user;
  if (flags.hostname !== undefined) cs.Hostname = flags.hostname;
  if (flags.stopSignal !== undefined) cs.StopSignal = flags.stopSignal;
  if (flags.stopGracePeriod !== undefined)
    cs.StopGracePeriod = parseDuration('stop-grace-period', flags.stopGracePeriod);
  if (flags.tty !== undefined) cs.TTY = flags.tty;
  if (flags.readOnly !== undefined) cs.ReadOnly = flags.readOnly;
  if (flags.init !== undefined) cs.Init = flags.init;
  if ((flags.mountAdd ?? []).length > 0 || (flags.mountRm ?? []).length > 0) {
    cs.Mounts = updateMounts(cs.Mounts, flags.mountAdd ?? [], flags.mountRm ?? []);
  }
  const health = applyHealthcheck(flags, cs.Healthcheck);
  if (health !== undefined) cs.Healthcheck = health;

  const hasResourceFlags = [
    flags.limitCpu,
    flags.limitMemory,
    flags.limitPids,
    flags.reserveCpu,
    flags.reserveMemory,
  ].some((v) => v !== undefined);
  if (hasResourceFlags) {
    task.Resources = applyResources(flags, {
      Limits: { ...(task.Resources?.Limits ?? {}) },
      Reservations: { ...(task.Resources?.Reservations ?? {}) },
    });
  }
  if (hasRestartFlags(flags))
    task.RestartPolicy = applyRestartPolicy(flags, task.RestartPolicy ?? defaultRestartPolicy());

  const placement = { ...(task.Placement ?? {}) };
  if ((flags.constraintAdd ?? []).length > 0 || (flags.constraintRm ?? []).length > 0) {
    placement.Constraints = updateList(
      placement.Constraints,
      flags.constraintAdd ?? [],
      flags.constraintRm ?? [],
    );
    if (placement.Constraints.length === 0) delete placement.Constraints;
  }
  if ((flags.placementPrefAdd ?? []).length > 0 || (flags.placementPrefRm ?? []).length > 0) {
    const rm = (flags.placementPrefRm ?? []).map(parsePlacementPref).map((p) => p.Spread?.SpreadDescriptor);
    const kept = (placement.Preferences ?? []).filter((p) => !rm.includes(p.Spread?.SpreadDescriptor));
    placement.Preferences = [...kept, ...(flags.placementPrefAdd ?? []).map(parsePlacementPref)];
    if (placement.Preferences.length === 0) delete placement.Preferences;
  }
  if (flags.replicasMaxPerNode !== undefined) {
    const mode = next.Mode ?? {};
    if (mode.Replicated === undefined && mode.ReplicatedJob === undefined) {
      throw new CliError(
        'replicas-max-per-node can only be used with replicated or replicated-job mode',
        'MODE',
      );
    }
    const max = parseUint('replicas-max-per-node', flags.replicasMaxPerNode);
    if (max === 0) delete placement.MaxReplicas;
    else placement.MaxReplicas = max;
  }
  task.Placement = placement;
  if ((flags.networkAdd ?? []).length > 0 || (flags.networkRm ?? []).length > 0) {
    task.Networks = updateNetworks(
      task.Networks ?? next.Networks,
      flags.networkAdd ?? [],
      flags.networkRm ?? [],
    );
    delete next.Networks;
  }

  if (flags.replicas !== undefined) {
    const replicas = parseUint('replicas', flags.replicas);
    const mode = next.Mode ?? {};
    if (mode.Replicated !== undefined) mode.Replicated = { Replicas: replicas };
    else if (mode.ReplicatedJob !== undefined)
      mode.ReplicatedJob = { ...mode.ReplicatedJob, TotalCompletions: replicas };
    else throw new CliError('replicas can only be used with replicated or replicated-job mode', 'MODE');
    next.Mode = mode;
  }
  if (flags.maxConcurrent !== undefined) {
    const job = next.Mode?.ReplicatedJob;
    if (job === undefined)
      throw new CliError('max-concurrent can only be used with replicated-job mode', 'MODE');
    job.MaxConcurrent = parseUint('max-concurrent', flags.maxConcurrent);
  }

  const isJob = next.Mode?.ReplicatedJob !== undefined || next.Mode?.GlobalJob !== undefined;
  for (const which of ['update', 'rollback'] as const) {
    if (!hasUpdateConfigFlags(flags, which)) continue;
    if (isJob)
      throw new CliError('update and rollback configuration is not supported for jobs', 'JOB_UPDATE_CONFIG');
    const key = which === 'update' ? 'UpdateConfig' : 'RollbackConfig';
    next[key] = applyUpdateConfig(flags, which, next[key] ?? defaultUpdateConfig());
  }

  if (
    flags.endpointMode !== undefined ||
    (flags.publishAdd ?? []).length > 0 ||
    (flags.publishRm ?? []).length > 0
  ) {
    const endpoint = { ...(next.EndpointSpec ?? {}) };
    if (flags.endpointMode !== undefined) {
      endpoint.Mode = parseChoice(
        'endpoint-mode',
        flags.endpointMode.toLowerCase(),
        ['vip', 'dnsrr'] as const,
        'must be "vip" or "dnsrr"',
      );
    }
    if ((flags.publishAdd ?? []).length > 0 || (flags.publishRm ?? []).length > 0) {
      endpoint.Ports = updatePorts(endpoint.Ports, flags.publishAdd ?? [], flags.publishRm ?? []);
      if (endpoint.Ports.length === 0) delete endpoint.Ports;
    }
    next.EndpointSpec = endpoint;
  }
  if (flags.force === true) task.ForceUpdate = (task.ForceUpdate ?? 0) + 1;
  return next;
}

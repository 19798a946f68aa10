// `service create` flags and positional arguments -> the DockerServiceSpec the docker CLI would send
// for the same command line.
import type { DockerContainerSpec, DockerPortConfig, DockerServiceSpec } from '../../client/types.js';
import { normalizeImageForSpec } from '../../format/image-ref.js';
import { CliError } from '../cli-error.js';
import {
  expandEnv,
  keyOf,
  keyValueMap,
  meshClientIpLabel,
  parseChoice,
  parseDuration,
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
  buildMode,
  defaultRestartPolicy,
  defaultUpdateConfig,
  hasRestartFlags,
  hasUpdateConfigFlags,
  parseNetwork,
  parsePlacementPref,
} from './spec-parts.js';

/** Later values of a key replace earlier ones, keeping the later position (docker's makeEnv). */
export function mergeEnv(
  values: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  let out: string[] = [];
  for (const raw of values) {
    const item = expandEnv(raw, env);
    const key = keyOf(item);
    out = out.filter((existing) => existing === item || keyOf(existing) !== key);
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

export function buildCreateSpec(
  flags: ServiceFlags,
  positional: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): DockerServiceSpec {
  const [image, ...args] = positional;
  if (image === undefined || image === '') {
    throw new CliError('"service create" requires at least 1 argument.', 'USAGE');
  }
  const mode = buildMode(flags);
  const isJob = mode.ReplicatedJob !== undefined || mode.GlobalJob !== undefined;
  const hasUpdate = hasUpdateConfigFlags(flags, 'update');
  const hasRollback = hasUpdateConfigFlags(flags, 'rollback');
  if (isJob && (hasUpdate || hasRollback)) {
    throw new CliError('update and rollback configuration is not supported for jobs', 'JOB_UPDATE_CONFIG');
  }
  const envList = mergeEnv(flags.env ?? [], env);
  const container: DockerContainerSpec = {
    Image: normalizeImageForSpec(image),
    ...((flags.containerLabel ?? []).length > 0 ? { Labels: keyValueMap(flags.containerLabel ?? []) } : {}),
    ...(flags.entrypoint !== undefined ? { Command: splitShellWords(flags.entrypoint) } : {}),
    ...(args.length > 0 ? { Args: args } : {}),
    ...(flags.hostname !== undefined && flags.hostname !== '' ? { Hostname: flags.hostname } : {}),
    ...(envList.length > 0 ? { Env: envList } : {}),
    ...(flags.workdir !== undefined && flags.workdir !== '' ? { Dir: flags.workdir } : {}),
    ...(flags.user !== undefined && flags.user !== '' ? { User: flags.user } : {}),
    ...(flags.stopSignal !== undefined ? { StopSignal: flags.stopSignal } : {}),
    ...(flags.tty === true ? { TTY: true } : {}),
    ...(flags.readOnly === true ? { ReadOnly: true } : {}),
    ...((flags.mount ?? []).length > 0 ? { Mounts: (flags.mount ?? []).map(parseMountSpec) } : {}),
    ...(flags.stopGracePeriod !== undefined
      ? { StopGracePeriod: parseDuration('stop-grace-period', flags.stopGracePeriod) }
      : {}),
    Init: flags.init === true,
    DNSConfig: {},
  };
  const health = applyHealthcheck(flags, undefined);
  if (health !== undefined) container.Healthcheck = health;
  const constraints = flags.constraint ?? [];
  const prefs = (flags.placementPref ?? []).map(parsePlacementPref);
  const maxReplicas = flags.replicasMaxPerNode === undefined ? 0 : Number(flags.replicasMaxPerNode);
  const networks = (flags.network ?? [])
    .map(parseNetwork)
    .sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
  const ports: DockerPortConfig[] = (flags.publish ?? []).flatMap(parsePortSpec);
  const endpointMode =
    flags.endpointMode === undefined
      ? 'vip'
      : parseChoice(
          'endpoint-mode',
          flags.endpointMode.toLowerCase(),
          ['vip', 'dnsrr'] as const,
          'must be "vip" or "dnsrr"',
        );
  return {
    ...(flags.name !== undefined && flags.name !== '' ? { Name: flags.name } : {}),
    Labels: { ...keyValueMap(flags.label ?? []), ...meshClientIpLabel(flags.meshClientIp) },
    TaskTemplate: {
      ContainerSpec: container,
      Resources: applyResources(flags, { Limits: {}, Reservations: {} }),
      ...(hasRestartFlags(flags) ? { RestartPolicy: applyRestartPolicy(flags, defaultRestartPolicy()) } : {}),
      Placement: {
        ...(constraints.length > 0 ? { Constraints: constraints } : {}),
        ...(prefs.length > 0 ? { Preferences: prefs } : {}),
        ...(maxReplicas > 0 ? { MaxReplicas: maxReplicas } : {}),
      },
      ...(networks.length > 0 ? { Networks: networks } : {}),
      ForceUpdate: 0,
    },
    Mode: mode,
    ...(hasUpdate ? { UpdateConfig: applyUpdateConfig(flags, 'update', defaultUpdateConfig()) } : {}),
    ...(hasRollback ? { RollbackConfig: applyUpdateConfig(flags, 'rollback', defaultUpdateConfig()) } : {}),
    EndpointSpec: { Mode: endpointMode, ...(ports.length > 0 ? { Ports: ports } : {}) },
  };
}

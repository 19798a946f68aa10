// Pieces of a ServiceSpec built from flags, shared by create and update: resources, restart
// policy, update/rollback config, health check, placement preferences, networks, mode.
import type {
  DockerFailureAction,
  DockerHealthConfig,
  DockerNetworkAttachmentConfig,
  DockerPlacementPreference,
  DockerRestartPolicy,
  DockerServiceMode,
  DockerUpdateConfig,
  DockerUpdateOrder,
} from '../../client/types.js';
import { CliError } from '../cli-error.js';
import {
  FlagValueError,
  parseChoice,
  parseDuration,
  parseFloatFlag,
  parseInt64,
  parseMemory,
  parseNanoCpus,
  parsePositiveDuration,
  parseUint,
} from './flag-values.js';
import type { ServiceFlags } from './service-flags.js';
import { splitCsvFields } from './shell-words.js';

/** swarmkit's defaults for a service's update and rollback configuration. */
export function defaultUpdateConfig(): DockerUpdateConfig {
  return {
    Parallelism: 1,
    FailureAction: 'pause',
    Monitor: 5e9,
    MaxFailureRatio: 0,
    Order: 'stop-first',
  };
}

/** swarmkit's default restart policy. */
export function defaultRestartPolicy(): DockerRestartPolicy {
  return { Condition: 'any', Delay: 5e9, MaxAttempts: 0 };
}

type Which = 'update' | 'rollback';

function updateFlags(f: ServiceFlags, which: Which): (string | undefined)[] {
  return which === 'update'
    ? [
        f.updateParallelism,
        f.updateDelay,
        f.updateMonitor,
        f.updateFailureAction,
        f.updateMaxFailureRatio,
        f.updateOrder,
      ]
    : [
        f.rollbackParallelism,
        f.rollbackDelay,
        f.rollbackMonitor,
        f.rollbackFailureAction,
        f.rollbackMaxFailureRatio,
        f.rollbackOrder,
      ];
}

export function hasUpdateConfigFlags(f: ServiceFlags, which: Which): boolean {
  return updateFlags(f, which).some((v) => v !== undefined);
}

/** Applies the --update-* (or --rollback-*) flags given onto `base`. */
export function applyUpdateConfig(
  f: ServiceFlags,
  which: Which,
  base: DockerUpdateConfig,
): DockerUpdateConfig {
  const [parallelism, delay, monitor, failureAction, ratio, order] = updateFlags(f, which);
  const c: DockerUpdateConfig = { ...base };
  const flag = (name: string): string => `${which}-${name}`;
  if (parallelism !== undefined) c.Parallelism = parseUint(flag('parallelism'), parallelism);
  if (delay !== undefined) c.Delay = parseDuration(flag('delay'), delay);
  if (monitor !== undefined) c.Monitor = parseDuration(flag('monitor'), monitor);
  if (failureAction !== undefined) {
    const allowed: readonly DockerFailureAction[] =
      which === 'update' ? ['pause', 'continue', 'rollback'] : ['pause', 'continue'];
    c.FailureAction = parseChoice(
      flag('failure-action'),
      failureAction,
      allowed,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
    );
  }
  if (ratio !== undefined) c.MaxFailureRatio = parseFloatFlag(flag('max-failure-ratio'), ratio);
  if (order !== undefined) {
    const allowed: readonly DockerUpdateOrder[] = ['start-first', 'stop-first'];
    c.Order = parseChoice(flag('order'), order, allowed, 'must be "start-first" or "stop-first"');
  }
  return c;
}

export function hasRestartFlags(f: ServiceFlags): boolean {
  return [f.restartCondition, f.restartDelay, f.restartMaxAttempts, f.restartWindow].some(
    (v) => v !== undefined,
  );
}

export function applyRestartPolicy(f: ServiceFlags, base: DockerRestartPolicy): DockerRestartPolicy {
  const p: DockerRestartPolicy = { ...base };
  if (f.restartCondition !== undefined) {
    p.Condition = parseChoice(
      'restart-condition',
      f.restartCondition,
      ['none', 'on-failure', 'any'] as const,
      'must be "none", "on-failure" or "any"',
    );
  }
  if (f.restartDelay !== undefined) p.Delay = parseDuration('restart-delay', f.restartDelay);
  if (f.restartMaxAttempts !== undefined)
    p.MaxAttempts = parseUint('restart-max-attempts', f.restartMaxAttempts);
  if (f.restartWindow !== undefined) p.Window = parseDuration('restart-window', f.restartWindow);
  return p;
}

/** Docker's TaskSpec.Resources with both halves present, as the resource flags edit it. */
export interface RequestedResources {
  Limits: { NanoCPUs?: number; MemoryBytes?: number; Pids?: number };
  Reservations: { NanoCPUs?: number; MemoryBytes?: number };
}

export function applyResources(f: ServiceFlags, base: RequestedResources): RequestedResources {
  const r: RequestedResources = { Limits: { ...base.Limits }, Reservations: { ...base.Reservations } };
  if (f.limitCpu !== undefined) r.Limits.NanoCPUs = parseNanoCpus('limit-cpu', f.limitCpu);
  if (f.limitMemory !== undefined) r.Limits.MemoryBytes = parseMemory('limit-memory', f.limitMemory);
  if (f.limitPids !== undefined) r.Limits.Pids = parseInt64('limit-pids', f.limitPids);
  if (f.reserveCpu !== undefined) r.Reservations.NanoCPUs = parseNanoCpus('reserve-cpu', f.reserveCpu);
  if (f.reserveMemory !== undefined)
    r.Reservations.MemoryBytes = parseMemory('reserve-memory', f.reserveMemory);
  for (const part of [r.Limits, r.Reservations] as Record<string, number | undefined>[]) {
    for (const k of Object.keys(part)) if (part[k] === 0) delete part[k];
  }
  return r;
}

export function hasHealthFlags(f: ServiceFlags): boolean {
  return [f.healthCmd, f.healthInterval, f.healthTimeout, f.healthRetries, f.healthStartPeriod].some(
    (v) => v !== undefined,
  );
}

/** The health check from flags, on top of `base`; undefined when no health flag was given. */
export function applyHealthcheck(
  f: ServiceFlags,
  base: DockerHealthConfig | undefined,
): DockerHealthConfig | undefined {
  if (f.healthcheck === false) {
    if (hasHealthFlags(f))
      throw new CliError('--no-healthcheck conflicts with --health-* options', 'HEALTH_FLAGS');
    return { Test: ['NONE'] };
  }
  if (!hasHealthFlags(f)) return base;
  const h: DockerHealthConfig = { ...(base ?? {}) };
  if (h.Test?.[0] === 'NONE') delete h.Test;
  if (f.healthCmd !== undefined) {
    if (f.healthCmd === '') delete h.Test;
    else h.Test = ['CMD-SHELL', f.healthCmd];
  }
  const set = (
    key: 'Interval' | 'Timeout' | 'StartPeriod',
    flag: string,
    value: string | undefined,
  ): void => {
    if (value === undefined) return;
    const d = parsePositiveDuration(flag, value);
    if (d === 0) delete h[key];
    else h[key] = d;
  };
  set('Interval', 'health-interval', f.healthInterval);
  set('Timeout', 'health-timeout', f.healthTimeout);
  set('StartPeriod', 'health-start-period', f.healthStartPeriod);
  if (f.healthRetries !== undefined) {
    const n = parseInt64('health-retries', f.healthRetries);
    if (n === 0) delete h.Retries;
    else h.Retries = n;
  }
  return h;
}

export function parsePlacementPref(value: string): DockerPlacementPreference {
  const fields = value.split('=');
  if (fields.length !== 2) {
    throw new FlagValueError(
      'placement-pref',
      value,
      'placement preference must be of the format "<strategy>=<arg>"',
    );
  }
  if (fields[0] !== 'spread') {
    throw new FlagValueError(
      'placement-pref',
      value,
      `unsupported placement preference ${fields[0] ?? ''} (only spread is supported)`,
    );
  }
  return { Spread: { SpreadDescriptor: fields[1] ?? '' } };
}

/** --network NAME or --network name=NAME,alias=A,driver-opt=k=v. */
/** A network attachment the CLI builds always names its target. */
export type NamedNetworkAttachment = DockerNetworkAttachmentConfig & { Target: string };

export function parseNetwork(value: string): NamedNetworkAttachment {
  if (!value.includes('=')) return { Target: value };
  const n: NamedNetworkAttachment = { Target: '' };
  for (const field of splitCsvFields(value)) {
    const eq = field.indexOf('=');
    const key = eq < 0 ? field : field.slice(0, eq).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (key === 'name') n.Target = val;
    else if (key === 'alias') n.Aliases = [...(n.Aliases ?? []), val];
    else if (key === 'driver-opt') {
      const [k, ...rest] = val.split('=');
      n.DriverOpts = { ...(n.DriverOpts ?? {}), [k ?? '']: rest.join('=') };
    } else throw new FlagValueError('network', value, `invalid field key ${key}`);
  }
  if (n.Target === '') throw new FlagValueError('network', value, 'network name/id is not specified');
  return n;
}

export function buildMode(f: ServiceFlags): DockerServiceMode {
  const replicas = f.replicas === undefined ? undefined : parseUint('replicas', f.replicas);
  const concurrent = f.maxConcurrent === undefined ? undefined : parseUint('max-concurrent', f.maxConcurrent);
  const maxPerNode =
    f.replicasMaxPerNode === undefined ? 0 : parseUint('replicas-max-per-node', f.replicasMaxPerNode);
  const mode = f.mode ?? 'replicated';
  const noConcurrent = (): void => {
    if (concurrent !== undefined)
      throw new CliError('max-concurrent can only be used with replicated-job mode', 'MODE');
  };
  switch (mode) {
    case 'global':
      if (replicas !== undefined)
        throw new CliError('replicas can only be used with replicated or replicated-job mode', 'MODE');
      if (maxPerNode > 0)
        throw new CliError(
          'replicas-max-per-node can only be used with replicated or replicated-job mode',
          'MODE',
        );
      noConcurrent();
      return { Global: {} };
    case 'replicated':
      noConcurrent();
      return { Replicated: replicas === undefined ? {} : { Replicas: replicas } };
    case 'replicated-job': {
      const max = concurrent ?? replicas;
      return {
        ReplicatedJob: {
          ...(max !== undefined ? { MaxConcurrent: max } : {}),
          ...(replicas !== undefined ? { TotalCompletions: replicas } : {}),
        },
      };
    }
    case 'global-job':
      if (maxPerNode > 0)
        throw new CliError(
          'replicas-max-per-node can only be used with replicated or replicated-job mode',
          'MODE',
        );
      noConcurrent();
      if (replicas !== undefined)
        throw new CliError('replicas can only be used with replicated or replicated-job mode', 'MODE');
      return { GlobalJob: {} };
    default:
      throw new CliError(`Unknown mode: ${mode}, only replicated and global supported`, 'MODE');
  }
}

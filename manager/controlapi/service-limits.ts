// The limits of every field of a service spec (limits.ts says why each number). Checked before
// swarmkit's own rules (service-rules.ts) and before anything is proposed: the whole spec's
// size first, so no later check runs on a huge value.

import type {
  ContainerSpec,
  Mount,
  Placement,
  PortConfig,
  Resources,
  RestartPolicy,
  ServiceMode,
  ServiceSpec,
  TaskSpec,
  UpdateConfig,
  FileTarget,
} from '../store/index.js';
import {
  checkCount,
  checkDuration,
  checkInteger,
  checkMap,
  checkSerializedSize,
  checkString,
  checkStrings,
} from './field-checks.js';
import { checkContainerSecurity, checkPidsLimit } from './container-security-checks.js';
import * as L from './limits.js';
import { invalidArgument } from './refusal.js';

function checkMode(mode: ServiceMode): void {
  switch (mode.kind) {
    case 'replicated':
      checkInteger('Mode: Replicas', mode.replicas, 0, L.MAX_REPLICAS);
      return;
    case 'replicatedJob':
      checkInteger('Mode: ReplicatedJob.MaxConcurrent', mode.maxConcurrent, 0, L.MAX_REPLICAS);
      checkInteger('Mode: ReplicatedJob.TotalCompletions', mode.totalCompletions, 0, L.MAX_REPLICAS);
      return;
    case 'global':
    case 'globalJob':
      return;
    default:
      throw invalidArgument('Mode: unknown service mode');
  }
}

function checkFileTarget(where: string, f: FileTarget): void {
  checkString(`${where}: File.Name`, f.name, L.MAX_PATH_BYTES);
  checkString(`${where}: File.UID`, f.uid, L.MAX_SHORT_STRING_BYTES);
  checkString(`${where}: File.GID`, f.gid, L.MAX_SHORT_STRING_BYTES);
  checkInteger(`${where}: File.Mode`, f.mode, 0, L.MAX_FILE_MODE);
}

function checkMount(m: Mount): void {
  const where = 'ContainerSpec: Mounts';
  checkString(`${where}: Target`, m.target, L.MAX_PATH_BYTES);
  if (m.source !== undefined) checkString(`${where}: Source`, m.source, L.MAX_PATH_BYTES);
  const v = m.volumeOptions;
  if (v !== undefined) {
    checkMap(`${where}: VolumeOptions.Labels`, v.labels, L.LABEL_LIMITS);
    if (v.subpath !== undefined) checkString(`${where}: VolumeOptions.Subpath`, v.subpath, L.MAX_PATH_BYTES);
    if (v.driverConfig !== undefined) {
      checkString(`${where}: VolumeOptions.DriverConfig.Name`, v.driverConfig.name, L.MAX_SHORT_STRING_BYTES);
      checkMap(`${where}: VolumeOptions.DriverConfig.Options`, v.driverConfig.options, L.OPTION_LIMITS);
    }
  }
  const t = m.tmpfsOptions;
  if (t !== undefined) {
    checkInteger(`${where}: TmpfsOptions.SizeBytes`, t.sizeBytes, 0, Number.MAX_SAFE_INTEGER);
    checkInteger(`${where}: TmpfsOptions.Mode`, t.mode, 0, L.MAX_FILE_MODE);
    if (t.options !== undefined) {
      checkCount(`${where}: TmpfsOptions.Options`, t.options, L.MAX_TMPFS_OPTIONS);
      for (const o of t.options) {
        checkStrings(
          `${where}: TmpfsOptions.Options`,
          o,
          L.MAX_TMPFS_OPTION_STRINGS,
          L.MAX_SHORT_STRING_BYTES,
        );
      }
    }
  }
}

function checkSwap(r: TaskSpec['resources']): void {
  if (r.swapBytes !== undefined) {
    checkInteger('Resources: SwapBytes', r.swapBytes, L.MIN_SWAP_BYTES, Number.MAX_SAFE_INTEGER);
  }
  if (r.memorySwappiness !== undefined) {
    checkInteger(
      'Resources: MemorySwappiness',
      r.memorySwappiness,
      Number.MIN_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
    );
  }
}

function checkContainer(c: ContainerSpec): void {
  const where = 'ContainerSpec:';
  checkString(`${where} Image`, c.image, L.MAX_SHORT_STRING_BYTES);
  checkMap(`${where} Labels`, c.labels, L.LABEL_LIMITS);
  checkStrings(`${where} Command`, c.command, L.MAX_ARG_ENTRIES, L.MAX_ARG_BYTES);
  checkStrings(`${where} Args`, c.args, L.MAX_ARG_ENTRIES, L.MAX_ARG_BYTES);
  checkStrings(`${where} Env`, c.env, L.MAX_ARG_ENTRIES, L.MAX_ARG_BYTES);
  if (c.hostname !== undefined) checkString(`${where} Hostname`, c.hostname, L.MAX_SHORT_STRING_BYTES);
  if (c.dir !== undefined) checkString(`${where} Dir`, c.dir, L.MAX_PATH_BYTES);
  if (c.user !== undefined) checkString(`${where} User`, c.user, L.MAX_SHORT_STRING_BYTES);
  checkStrings(`${where} Groups`, c.groups, L.MAX_GROUPS, L.MAX_SHORT_STRING_BYTES);
  checkCount(`${where} Mounts`, c.mounts, L.MAX_MOUNTS);
  for (const m of c.mounts) checkMount(m);
  if (c.stopSignal !== undefined) checkString(`${where} StopSignal`, c.stopSignal, L.MAX_SHORT_STRING_BYTES);
  if (c.stopGracePeriod !== undefined) {
    checkDuration(
      `${where} StopGracePeriod`,
      c.stopGracePeriod,
      'ContainerSpec: stop-grace-period cannot be negative',
      L.MAX_DURATION_MS,
    );
  }
  const h = c.healthcheck;
  if (h !== undefined) {
    checkStrings(`${where} Healthcheck.Test`, h.test, L.MAX_ARG_ENTRIES, L.MAX_ARG_BYTES);
    for (const [name, ms, exactNs] of [
      ['Interval', h.interval, h.exactNs?.interval],
      ['Timeout', h.timeout, h.exactNs?.timeout],
      ['StartPeriod', h.startPeriod, h.exactNs?.startPeriod],
      ['StartInterval', h.startInterval ?? 0, h.exactNs?.startInterval],
    ] as const) {
      // swarmkit's validateHealthCheck: 0 inherits the image's value, else at least 1 ms (in
      // nanoseconds as given: 5 ns is kept as 0 ms but is not 0, and the engine gets 5 ns).
      if ((ms !== 0 && ms < 1) || (exactNs !== undefined && exactNs > 0 && exactNs < 1_000_000)) {
        throw invalidArgument(`ContainerSpec: ${name} in HealthConfig cannot be less than 1ms`);
      }
      checkDuration(
        `${where} Healthcheck.${name}`,
        ms,
        `ContainerSpec: ${name} in HealthConfig cannot be less than 1ms`,
        L.MAX_DURATION_MS,
      );
    }
    if (h.retries < 0) throw invalidArgument('ContainerSpec: Retries in HealthConfig cannot be negative');
    checkInteger(`${where} Healthcheck.Retries`, h.retries, 0, Number.MAX_SAFE_INTEGER);
  }
  checkStrings(`${where} Hosts`, c.hosts, L.MAX_HOSTS, L.MAX_SHORT_STRING_BYTES);
  const dns = c.dnsConfig;
  if (dns !== undefined) {
    checkStrings(
      `${where} DNSConfig.Nameservers`,
      dns.nameservers,
      L.MAX_DNS_NAMESERVERS,
      L.MAX_ADDRESS_BYTES,
    );
    checkStrings(`${where} DNSConfig.Search`, dns.search, L.MAX_DNS_SEARCH, L.MAX_DNS_NAME_BYTES);
    checkStrings(`${where} DNSConfig.Options`, dns.options, L.MAX_DNS_OPTIONS, L.MAX_SHORT_STRING_BYTES);
  }
  checkCount(`${where} Secrets`, c.secrets, L.MAX_SECRET_REFERENCES);
  for (const s of c.secrets) {
    checkString(`${where} Secrets: SecretID`, s.secretId, L.MAX_SHORT_STRING_BYTES);
    checkString(`${where} Secrets: SecretName`, s.secretName, L.MAX_SHORT_STRING_BYTES);
    checkFileTarget(`${where} Secrets`, s.file);
  }
  checkCount(`${where} Configs`, c.configs, L.MAX_CONFIG_REFERENCES);
  for (const s of c.configs) {
    checkString(`${where} Configs: ConfigID`, s.configId, L.MAX_SHORT_STRING_BYTES);
    checkString(`${where} Configs: ConfigName`, s.configName, L.MAX_SHORT_STRING_BYTES);
    checkFileTarget(`${where} Configs`, s.file);
  }
  checkMap(`${where} Sysctls`, c.sysctls, L.OPTION_LIMITS);
  checkStrings(`${where} CapabilityAdd`, c.capabilityAdd, L.MAX_CAPABILITIES, L.MAX_SHORT_STRING_BYTES);
  checkStrings(`${where} CapabilityDrop`, c.capabilityDrop, L.MAX_CAPABILITIES, L.MAX_SHORT_STRING_BYTES);
  checkContainerSecurity(c);
}

function checkResourceAmounts(where: string, r: Resources | undefined): void {
  if (r === undefined) return;
  checkInteger(`${where}.NanoCPUs`, r.nanoCPUs, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkInteger(`${where}.MemoryBytes`, r.memoryBytes, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkCount(`${where}.GenericResources`, r.generic, L.MAX_GENERIC_RESOURCES);
  for (const g of r.generic) {
    checkString(`${where}.GenericResources: Kind`, g.resourceKind, L.MAX_SHORT_STRING_BYTES);
    if (g.kind === 'discrete') {
      checkInteger(`${where}.GenericResources: Value`, g.value, 0, Number.MAX_SAFE_INTEGER);
    } else {
      checkString(`${where}.GenericResources: Value`, g.value, L.MAX_SHORT_STRING_BYTES);
    }
  }
}

function checkRestart(p: RestartPolicy): void {
  checkDuration(
    'TaskSpec: RestartPolicy.Delay',
    p.delay,
    'TaskSpec: restart-delay cannot be negative',
    L.MAX_DURATION_MS,
  );
  checkDuration(
    'TaskSpec: RestartPolicy.Window',
    p.window,
    'TaskSpec: restart-window cannot be negative',
    L.MAX_DURATION_MS,
  );
  checkInteger('TaskSpec: RestartPolicy.MaxAttempts', p.maxAttempts, 0, Number.MAX_SAFE_INTEGER);
}

function checkPlacement(p: Placement): void {
  checkStrings('Placement: Constraints', p.constraints, L.MAX_CONSTRAINTS, L.MAX_SHORT_STRING_BYTES);
  checkCount('Placement: Preferences', p.preferences, L.MAX_PREFERENCES);
  for (const pref of p.preferences) {
    checkString('Placement: Preferences: SpreadDescriptor', pref.spread, L.MAX_SHORT_STRING_BYTES);
  }
  checkInteger('Placement: MaxReplicas', p.maxReplicas, 0, L.MAX_REPLICAS_PER_NODE);
  checkCount('Placement: Platforms', p.platforms, L.MAX_PLATFORMS);
  for (const x of p.platforms) {
    checkString('Placement: Platforms: Architecture', x.architecture, L.MAX_SHORT_STRING_BYTES);
    checkString('Placement: Platforms: OS', x.os, L.MAX_SHORT_STRING_BYTES);
  }
}

function checkTask(t: TaskSpec): void {
  checkContainer(t.containerSpec);
  checkResourceAmounts('Resources: Limits', t.resources.limits);
  checkResourceAmounts('Resources: Reservations', t.resources.reservations);
  checkPidsLimit(t.resources.pidsLimit);
  checkSwap(t.resources);
  checkRestart(t.restartPolicy);
  checkPlacement(t.placement);
  checkCount('TaskSpec: Networks', t.networks, L.MAX_SERVICE_NETWORKS);
  for (const n of t.networks) {
    checkString('TaskSpec: Networks: Target', n.target, L.MAX_SHORT_STRING_BYTES);
    checkStrings('TaskSpec: Networks: Aliases', n.aliases, L.MAX_NETWORK_ALIASES, L.MAX_DNS_NAME_BYTES);
    checkMap('TaskSpec: Networks: DriverOpts', n.driverOpts, L.OPTION_LIMITS);
  }
  if (t.logDriver !== undefined) {
    checkString('TaskSpec: LogDriver.Name', t.logDriver.name, L.MAX_SHORT_STRING_BYTES);
    checkMap('TaskSpec: LogDriver.Options', t.logDriver.options, L.OPTION_LIMITS);
  }
  checkInteger('TaskSpec: ForceUpdate', t.forceUpdate, 0, Number.MAX_SAFE_INTEGER);
}

function checkUpdateConfig(u: UpdateConfig | undefined, what: 'update' | 'rollback'): void {
  if (u === undefined) return;
  const name = what === 'update' ? 'UpdateConfig' : 'RollbackConfig';
  checkInteger(`${name}: Parallelism`, u.parallelism, 0, L.MAX_REPLICAS_PER_NODE);
  checkDuration(`${name}: Delay`, u.delay, `TaskSpec: ${what}-delay cannot be negative`, L.MAX_DURATION_MS);
  checkDuration(
    `${name}: Monitor`,
    u.monitor,
    `TaskSpec: ${what}-monitor cannot be negative`,
    L.MAX_DURATION_MS,
  );
  if (!(u.maxFailureRatio >= 0 && u.maxFailureRatio <= 1)) {
    throw invalidArgument(`TaskSpec: ${what}-maxfailureratio cannot be less than 0 or bigger than 1`);
  }
}

function checkPort(p: PortConfig): void {
  if (p.name !== undefined) checkString('EndpointSpec: Ports: Name', p.name, L.MAX_SHORT_STRING_BYTES);
  if (!Number.isSafeInteger(p.targetPort) || p.targetPort < 1 || p.targetPort > L.MAX_PORT) {
    throw invalidArgument(
      `EndpointSpec: target port ${p.targetPort} is out of range: it must be between 1 and ${L.MAX_PORT}`,
    );
  }
  if (!Number.isSafeInteger(p.publishedPort) || p.publishedPort < 0 || p.publishedPort > L.MAX_PORT) {
    throw invalidArgument(
      `EndpointSpec: published port ${p.publishedPort} is out of range: it must be between 1 and ${L.MAX_PORT} (or 0 to have one assigned)`,
    );
  }
}

/** Every field of a service spec within shoal's limits (limits.ts), or a Refusal. */
export function checkServiceSpecLimits(spec: ServiceSpec): void {
  checkSerializedSize('service spec', spec, L.MAX_SERVICE_SPEC_BYTES);
  checkMap('Labels', spec.labels, L.LABEL_LIMITS);
  checkMode(spec.mode);
  checkTask(spec.taskTemplate);
  checkUpdateConfig(spec.updateConfig, 'update');
  checkUpdateConfig(spec.rollbackConfig, 'rollback');
  const endpoint = spec.endpointSpec;
  if (endpoint !== undefined) {
    checkCount('EndpointSpec: Ports', endpoint.ports, L.MAX_PORTS);
    for (const p of endpoint.ports) checkPort(p);
  }
}

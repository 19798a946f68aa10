// A task's spec as the Engine API's container-create body (pure: no engine calls). Durations in
// the store are milliseconds; the engine wants nanoseconds (health check) or seconds (stop
// timeout). Field checks that the engine would answer with an obscure error are done here with
// a message naming the spec field.

import type Dockerode from 'dockerode';
import type { HealthConfig, Mount, Privileges, Task } from '../../../api/objects/index.js';
import { InvalidTaskSpecError } from '../errors.js';
import type { ContainerNetworking, EndpointSettings } from '../network-attacher.js';
import { containerLabels, taskName } from '../../../api/task-identity.js';

const NS_PER_MS = 1_000_000;

export function containerCreateOptions(
  task: Task,
  networking: ContainerNetworking,
  /** The read-only bind mounts of the task's secret and config files (secret-mounts.ts). */
  fileMounts: readonly Dockerode.MountSettings[] = [],
): Dockerode.ContainerCreateOptions {
  const c = task.spec.containerSpec;
  if (c.image === '') throw new InvalidTaskSpecError('containerSpec.image', 'an image is required');
  const limits = task.spec.resources.limits;
  const reservations = task.spec.resources.reservations;
  const hostConfig: Dockerode.HostConfig = {
    NetworkMode: networking.networkMode,
    Mounts: [...c.mounts.map(mountSettings), ...fileMounts],
    ReadonlyRootfs: c.readOnly,
    Sysctls: { ...c.sysctls },
    CapAdd: [...c.capabilityAdd],
    CapDrop: [...c.capabilityDrop],
    GroupAdd: [...c.groups],
    ExtraHosts: c.hosts.flatMap(extraHosts),
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
  };
  if (c.init !== undefined) hostConfig.Init = c.init;
  const securityOpt = c.privileges === undefined ? [] : securityOptions(c.privileges);
  if (securityOpt.length > 0) hostConfig.SecurityOpt = securityOpt;
  if (c.ulimits !== undefined && c.ulimits.length > 0) {
    hostConfig.Ulimits = c.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  }
  // As dockerd's executor: only a positive limit is set (0 and below leave the engine's default).
  const pids = task.spec.resources.pidsLimit;
  if (pids !== undefined && pids > 0) hostConfig.PidsLimit = pids;
  if (c.oomScoreAdj !== undefined && c.oomScoreAdj !== 0) hostConfig.OomScoreAdj = c.oomScoreAdj;
  // A Linux engine refuses "process" and "hyperv", as it does for Docker's swarm tasks.
  if (c.isolation !== undefined && c.isolation !== 'default') hostConfig.Isolation = c.isolation;
  if (limits !== undefined && limits.nanoCPUs > 0) hostConfig.NanoCpus = limits.nanoCPUs;
  if (limits !== undefined && limits.memoryBytes > 0) hostConfig.Memory = limits.memoryBytes;
  Object.assign(hostConfig, swapSettings(task.spec.resources));
  if (reservations !== undefined && reservations.memoryBytes > 0)
    hostConfig.MemoryReservation = reservations.memoryBytes;
  if (c.dnsConfig !== undefined) {
    hostConfig.Dns = [...c.dnsConfig.nameservers];
    hostConfig.DnsSearch = [...c.dnsConfig.search];
    hostConfig.DnsOptions = [...c.dnsConfig.options];
  }
  // The service's log driver, else the cluster default stamped on the task, else the engine's.
  const logDriver = [task.spec.logDriver, task.logDriver].find((d) => d !== undefined && d.name !== '');
  if (logDriver !== undefined) {
    hostConfig.LogConfig = { Type: logDriver.name, Config: { ...logDriver.options } };
  }

  const options: Dockerode.ContainerCreateOptions = {
    name: taskName(task),
    Image: c.image,
    Labels: containerLabels(task),
    Env: [...c.env],
    Tty: c.tty,
    OpenStdin: c.openStdin,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: hostConfig,
  };
  if (c.command.length > 0) options.Entrypoint = [...c.command];
  if (c.args.length > 0) options.Cmd = [...c.args];
  if (c.hostname !== undefined && c.hostname !== '') options.Hostname = c.hostname;
  if (c.dir !== undefined && c.dir !== '') options.WorkingDir = c.dir;
  if (c.user !== undefined && c.user !== '') options.User = c.user;
  if (c.stopSignal !== undefined && c.stopSignal !== '') options.StopSignal = c.stopSignal;
  if (c.stopGracePeriod !== undefined) options.StopTimeout = Math.ceil(c.stopGracePeriod / 1000);
  if (c.healthcheck !== undefined) options.Healthcheck = healthcheck(c.healthcheck);
  // The engine (20.10) takes one endpoint at create; the others are connected before start
  // (see DockerController.prepare).
  const first = networking.endpoints[0];
  if (first !== undefined) {
    options.NetworkingConfig = { EndpointsConfig: { [first.network]: endpointSettings(first) } };
  }
  return options;
}

/** Docker's EndpointSettings for one of the task's networks (its address from the allocator). */
export function endpointSettings(e: EndpointSettings): Dockerode.EndpointSettings {
  const settings: Dockerode.EndpointSettings = {
    Aliases: [...e.aliases],
    DriverOpts: { ...e.driverOpts },
  };
  if (e.ipv4Address !== undefined || e.ipv6Address !== undefined) {
    settings.IPAMConfig = {};
    if (e.ipv4Address !== undefined) settings.IPAMConfig.IPv4Address = e.ipv4Address;
    if (e.ipv6Address !== undefined) settings.IPAMConfig.IPv6Address = e.ipv6Address;
  }
  return settings;
}

/**
 * Swap as dockerd's swarm executor sets it: only under a memory limit (the engine's MemorySwap
 * is memory plus swap, -1 unlimited), and swappiness only when limits are given at all (-1
 * reaches the engine, which reads it as its default).
 */
function swapSettings(r: Task['spec']['resources']): { MemorySwap?: number; MemorySwappiness?: number } {
  const out: { MemorySwap?: number; MemorySwappiness?: number } = {};
  if (r.limits === undefined) return out;
  const memory = r.limits.memoryBytes;
  if (memory > 0 && r.swapBytes !== undefined) {
    if (r.swapBytes === -1) out.MemorySwap = -1;
    else if (r.swapBytes >= 0) out.MemorySwap = memory + r.swapBytes;
  }
  if (r.memorySwappiness !== undefined) out.MemorySwappiness = r.memorySwappiness;
  return out;
}

/**
 * The engine's mount (HostConfig.Mounts) with the fields dockerode's types lack: the bind
 * flags (API 1.40-1.44), a volume's Subpath (1.45) and tmpfs Options (1.46).
 */
export type EngineMount = Omit<Dockerode.MountSettings, 'BindOptions' | 'TmpfsOptions'> & {
  BindOptions?: {
    Propagation: Dockerode.MountPropagation;
    NonRecursive?: boolean;
    CreateMountpoint?: boolean;
    ReadOnlyNonRecursive?: boolean;
    ReadOnlyForceRecursive?: boolean;
  };
  TmpfsOptions?: { SizeBytes: number; Mode: number; Options?: string[][] };
};

/**
 * A bind mount's options as dockerd's swarm executor passes them; a flag that is not set is
 * left out, as Go's omitempty leaves out a false one.
 */
function bindSettings(b: NonNullable<Mount['bindOptions']>): NonNullable<EngineMount['BindOptions']> {
  const out: NonNullable<EngineMount['BindOptions']> = { Propagation: b.propagation };
  if (b.nonRecursive === true) out.NonRecursive = true;
  if (b.createMountpoint === true) out.CreateMountpoint = true;
  if (b.readOnlyNonRecursive === true) out.ReadOnlyNonRecursive = true;
  if (b.readOnlyForceRecursive === true) out.ReadOnlyForceRecursive = true;
  return out;
}

export function mountSettings(m: Mount, index: number): EngineMount {
  const field = `containerSpec.mounts[${index}]`;
  if (m.target === '' || !m.target.startsWith('/')) {
    throw new InvalidTaskSpecError(`${field}.target`, `must be an absolute path, got "${m.target}"`);
  }
  const out: EngineMount = {
    Type: m.type,
    Target: m.target,
    ReadOnly: m.readOnly,
    Source: m.source ?? '',
  };
  // Linux engines ignore it; passed on as dockerd's executor does (Docker Desktop honours it).
  if (m.consistency !== undefined) out.Consistency = m.consistency;
  switch (m.type) {
    case 'bind':
      if (m.source === undefined || !m.source.startsWith('/')) {
        throw new InvalidTaskSpecError(`${field}.source`, 'a bind mount needs an absolute host path');
      }
      if (m.bindOptions !== undefined) out.BindOptions = bindSettings(m.bindOptions);
      break;
    case 'volume':
      if (m.volumeOptions !== undefined) {
        const driver = m.volumeOptions.driverConfig;
        out.VolumeOptions = {
          NoCopy: m.volumeOptions.noCopy,
          Labels: { ...m.volumeOptions.labels },
          // The engine reads an empty driver name as its default (`local`) driver.
          DriverConfig: { Name: driver?.name ?? '', Options: { ...driver?.options } },
        };
        if (m.volumeOptions.subpath !== undefined) out.VolumeOptions.Subpath = m.volumeOptions.subpath;
      }
      break;
    case 'tmpfs':
      if (m.source !== undefined && m.source !== '') {
        throw new InvalidTaskSpecError(`${field}.source`, 'a tmpfs mount has no source');
      }
      if (m.tmpfsOptions !== undefined) {
        const t = m.tmpfsOptions;
        out.TmpfsOptions = { SizeBytes: t.sizeBytes, Mode: t.mode };
        if (t.options !== undefined && t.options.length > 0)
          out.TmpfsOptions.Options = t.options.map((o) => [...o]);
      }
      break;
  }
  return out;
}

/** Swarm's host entries are "IP hostname [alias...]" (/etc/hosts style); the engine wants "name:IP". */
function extraHosts(entry: string, index: number): string[] {
  const [ip, ...names] = entry.trim().split(/\s+/);
  if (ip === undefined || ip === '' || names.length === 0) {
    throw new InvalidTaskSpecError(
      `containerSpec.hosts[${index}]`,
      `expected "IP hostname [alias...]", got "${entry}"`,
    );
  }
  return names.map((name) => `${name}:${ip}`);
}

/**
 * The engine's durations are nanoseconds: the exact value the API was given when the store
 * kept one (a duration that is no whole number of milliseconds), else the milliseconds.
 */
function ns(ms: number, exact: number | undefined): number {
  return exact ?? ms * NS_PER_MS;
}

function healthcheck(h: HealthConfig): Dockerode.HealthConfig {
  const out: Dockerode.HealthConfig = {
    Test: [...h.test],
    Interval: ns(h.interval, h.exactNs?.interval),
    Timeout: ns(h.timeout, h.exactNs?.timeout),
    StartPeriod: ns(h.startPeriod, h.exactNs?.startPeriod),
    Retries: h.retries,
  };
  // An engine older than API 1.44 ignores the field; a newer one probes this often while the
  // start period lasts.
  if (h.startInterval !== undefined && h.startInterval !== 0) {
    out.StartInterval = ns(h.startInterval, h.exactNs?.startInterval);
  }
  return out;
}

/**
 * Privileges as dockerd's swarm executor turns them into security options. CredentialSpec is
 * Windows-only (a Linux engine refuses the option): kept in the spec, not applied.
 */
export function securityOptions(p: Privileges): string[] {
  const out: string[] = [];
  const selinux = p.seLinuxContext;
  if (selinux !== undefined) {
    if (selinux.disable) out.push('label=disable');
    if (selinux.user !== '') out.push(`label=user:${selinux.user}`);
    if (selinux.role !== '') out.push(`label=role:${selinux.role}`);
    if (selinux.level !== '') out.push(`label=level:${selinux.level}`);
    if (selinux.type !== '') out.push(`label=type:${selinux.type}`);
  }
  if (p.seccomp?.mode === 'unconfined') out.push('seccomp=unconfined');
  if (p.seccomp?.mode === 'custom' && p.seccomp.profile !== undefined) {
    // The engine takes the profile's JSON itself after "seccomp=", as the docker CLI sends it.
    out.push(`seccomp=${Buffer.from(p.seccomp.profile, 'base64').toString('utf8')}`);
  }
  if (p.appArmor?.mode === 'disabled') out.push('apparmor=unconfined');
  if (p.noNewPrivileges) out.push('no-new-privileges=true');
  return out;
}

// ContainerSpec: Docker's TaskTemplate.ContainerSpec <-> the store's containerSpec.
// Privileges, Ulimits and Isolation are translated in privileges.ts.

import type {
  BindOptions,
  ConfigReference,
  ContainerSpec,
  FileTarget,
  HealthConfig,
  Mount,
  MountConsistency,
  MountPropagation,
  SecretReference,
} from '../../store/index.js';
import { invalidParameter } from '../errors.js';
import type {
  DockerContainerSpec,
  DockerHealthConfig,
  DockerMount,
} from '../../../api/docker/service-spec.js';
import { durationFromStore, durationToStore } from './duration.js';
import {
  isolationFromStore,
  isolationToStore,
  privilegesFromStore,
  privilegesToStore,
  ulimitsFromStore,
  ulimitsToStore,
} from './privileges.js';

const PROPAGATIONS: readonly MountPropagation[] = [
  'rprivate',
  'private',
  'rshared',
  'shared',
  'rslave',
  'slave',
];
const CONSISTENCIES: readonly MountConsistency[] = ['default', 'consistent', 'cached', 'delegated'];

function bindOptionsToStore(b: NonNullable<DockerMount['BindOptions']>): BindOptions {
  const p = b.Propagation ?? 'rprivate';
  if (!(PROPAGATIONS as readonly string[]).includes(p)) {
    throw invalidParameter(`invalid MountPropagation: ${JSON.stringify(p)}`);
  }
  const out: BindOptions = { propagation: p as MountPropagation };
  // Only the flags that are set are kept: objects stored before the flags existed look the same.
  if (b.NonRecursive === true) out.nonRecursive = true;
  if (b.CreateMountpoint === true) out.createMountpoint = true;
  if (b.ReadOnlyNonRecursive === true) out.readOnlyNonRecursive = true;
  if (b.ReadOnlyForceRecursive === true) out.readOnlyForceRecursive = true;
  return out;
}

function bindOptionsFromStore(b: BindOptions): NonNullable<DockerMount['BindOptions']> {
  const out: NonNullable<DockerMount['BindOptions']> = { Propagation: b.propagation };
  if (b.nonRecursive === true) out.NonRecursive = true;
  if (b.createMountpoint === true) out.CreateMountpoint = true;
  if (b.readOnlyNonRecursive === true) out.ReadOnlyNonRecursive = true;
  if (b.readOnlyForceRecursive === true) out.ReadOnlyForceRecursive = true;
  return out;
}

function mountToStore(m: DockerMount): Mount {
  const type = m.Type ?? '';
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') {
    throw invalidParameter(`invalid MountType: ${JSON.stringify(type)}`);
  }
  const out: Mount = { type, target: m.Target ?? '', readOnly: m.ReadOnly ?? false };
  if (m.Source !== undefined && m.Source !== '') out.source = m.Source;
  // Go's omitempty: an empty Consistency is no Consistency.
  if (m.Consistency !== undefined && m.Consistency !== '') {
    if (!(CONSISTENCIES as readonly string[]).includes(m.Consistency)) {
      throw invalidParameter(`invalid MountConsistency: ${JSON.stringify(m.Consistency)}`);
    }
    out.consistency = m.Consistency as MountConsistency;
  }
  if (m.BindOptions !== undefined) out.bindOptions = bindOptionsToStore(m.BindOptions);
  if (m.VolumeOptions !== undefined) {
    const v = m.VolumeOptions;
    out.volumeOptions = { noCopy: v.NoCopy ?? false, labels: v.Labels ?? {} };
    if (v.Subpath !== undefined && v.Subpath !== '') out.volumeOptions.subpath = v.Subpath;
    if (v.DriverConfig !== undefined) {
      out.volumeOptions.driverConfig = {
        name: v.DriverConfig.Name ?? '',
        options: v.DriverConfig.Options ?? {},
      };
    }
  }
  if (m.TmpfsOptions !== undefined) {
    const t = m.TmpfsOptions;
    out.tmpfsOptions = { sizeBytes: t.SizeBytes ?? 0, mode: t.Mode ?? 0 };
    if (t.Options !== undefined && t.Options.length > 0)
      out.tmpfsOptions.options = t.Options.map((o) => [...o]);
  }
  return out;
}

function mountFromStore(m: Mount): DockerMount {
  const out: DockerMount = { Type: m.type, Target: m.target };
  if (m.source !== undefined) out.Source = m.source;
  if (m.readOnly) out.ReadOnly = true;
  if (m.consistency !== undefined) out.Consistency = m.consistency;
  if (m.bindOptions !== undefined) out.BindOptions = bindOptionsFromStore(m.bindOptions);
  if (m.volumeOptions !== undefined) {
    const v = m.volumeOptions;
    out.VolumeOptions = {};
    if (v.noCopy) out.VolumeOptions.NoCopy = true;
    if (Object.keys(v.labels).length > 0) out.VolumeOptions.Labels = { ...v.labels };
    if (v.subpath !== undefined) out.VolumeOptions.Subpath = v.subpath;
    if (v.driverConfig !== undefined) {
      out.VolumeOptions.DriverConfig = { Name: v.driverConfig.name, Options: { ...v.driverConfig.options } };
    }
  }
  if (m.tmpfsOptions !== undefined) {
    const t = m.tmpfsOptions;
    out.TmpfsOptions = {};
    if (t.sizeBytes !== 0) out.TmpfsOptions.SizeBytes = t.sizeBytes;
    if (t.mode !== 0) out.TmpfsOptions.Mode = t.mode;
    if (t.options !== undefined) out.TmpfsOptions.Options = t.options.map((o) => [...o]);
  }
  return out;
}

type HealthDuration = 'interval' | 'timeout' | 'startPeriod' | 'startInterval';
const HEALTH_DURATIONS: readonly [
  HealthDuration,
  'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval',
][] = [
  ['interval', 'Interval'],
  ['timeout', 'Timeout'],
  ['startPeriod', 'StartPeriod'],
  ['startInterval', 'StartInterval'],
];

function healthToStore(h: DockerHealthConfig): HealthConfig {
  const out: HealthConfig = {
    test: [...(h.Test ?? [])],
    interval: 0,
    timeout: 0,
    startPeriod: 0,
    retries: h.Retries ?? 0,
  };
  const exact: NonNullable<HealthConfig['exactNs']> = {};
  for (const [field, docker] of HEALTH_DURATIONS) {
    const given = h[docker];
    if (given === undefined && field === 'startInterval') continue;
    const d = durationToStore(given ?? 0);
    out[field] = d.ms;
    if (d.ns !== undefined) exact[field] = d.ns;
  }
  if (Object.keys(exact).length > 0) out.exactNs = exact;
  return out;
}

function healthFromStore(h: HealthConfig): DockerHealthConfig {
  const out: DockerHealthConfig = {};
  if (h.test.length > 0) out.Test = [...h.test];
  for (const [field, docker] of HEALTH_DURATIONS) {
    const ms = h[field];
    if (ms === undefined) continue;
    const ns = durationFromStore(ms, h.exactNs?.[field]);
    if (ns !== 0) out[docker] = ns;
  }
  if (h.retries !== 0) out.Retries = h.retries;
  return out;
}

interface DockerFile {
  Name?: string;
  UID?: string;
  GID?: string;
  Mode?: number;
}

/**
 * A reference without a file target keeps an empty file name, which the control layer refuses
 * (swarmkit's validateSecretRefsSpec): every secret and config reference names its file.
 */
function fileToStore(f: DockerFile | undefined): FileTarget {
  return { name: f?.Name ?? '', uid: f?.UID ?? '0', gid: f?.GID ?? '0', mode: f?.Mode ?? 0o444 };
}

function fileFromStore(f: FileTarget): DockerFile {
  return { Name: f.name, UID: f.uid, GID: f.gid, Mode: f.mode };
}

function nonEmpty<T>(list: readonly T[]): T[] | undefined {
  return list.length > 0 ? [...list] : undefined;
}

function nonEmptyMap(map: Readonly<Record<string, string>>): Record<string, string> | undefined {
  return Object.keys(map).length > 0 ? { ...map } : undefined;
}

export function containerSpecToStore(c: DockerContainerSpec): ContainerSpec {
  const out: ContainerSpec = {
    image: c.Image ?? '',
    labels: { ...(c.Labels ?? {}) },
    command: [...(c.Command ?? [])],
    args: [...(c.Args ?? [])],
    env: [...(c.Env ?? [])],
    groups: [...(c.Groups ?? [])],
    tty: c.TTY ?? false,
    openStdin: c.OpenStdin ?? false,
    readOnly: c.ReadOnly ?? false,
    mounts: (c.Mounts ?? []).map(mountToStore),
    hosts: [...(c.Hosts ?? [])],
    secrets: (c.Secrets ?? []).map((s): SecretReference => ({
      secretId: s.SecretID ?? '',
      secretName: s.SecretName ?? '',
      file: fileToStore(s.File),
    })),
    configs: (c.Configs ?? []).map((s): ConfigReference => ({
      configId: s.ConfigID ?? '',
      configName: s.ConfigName ?? '',
      file: fileToStore(s.File),
    })),
    sysctls: { ...(c.Sysctls ?? {}) },
    capabilityAdd: [...(c.CapabilityAdd ?? [])],
    capabilityDrop: [...(c.CapabilityDrop ?? [])],
  };
  if (c.Hostname !== undefined && c.Hostname !== '') out.hostname = c.Hostname;
  if (c.Dir !== undefined && c.Dir !== '') out.dir = c.Dir;
  if (c.User !== undefined && c.User !== '') out.user = c.User;
  if (c.StopSignal !== undefined && c.StopSignal !== '') out.stopSignal = c.StopSignal;
  if (c.StopGracePeriod !== undefined) {
    const grace = durationToStore(c.StopGracePeriod);
    out.stopGracePeriod = grace.ms;
    if (grace.ns !== undefined) out.stopGracePeriodNs = grace.ns;
  }
  if (c.Healthcheck !== undefined) out.healthcheck = healthToStore(c.Healthcheck);
  if (c.DNSConfig !== undefined) {
    out.dnsConfig = {
      nameservers: [...(c.DNSConfig.Nameservers ?? [])],
      search: [...(c.DNSConfig.Search ?? [])],
      options: [...(c.DNSConfig.Options ?? [])],
    };
  }
  if (c.Init !== undefined) out.init = c.Init;
  if (c.Privileges !== undefined) out.privileges = privilegesToStore(c.Privileges);
  if (c.Ulimits !== undefined && c.Ulimits.length > 0) out.ulimits = ulimitsToStore(c.Ulimits);
  const isolation = isolationToStore(c.Isolation);
  if (isolation !== undefined) out.isolation = isolation;
  if (c.OomScoreAdj !== undefined && c.OomScoreAdj !== 0) out.oomScoreAdj = c.OomScoreAdj;
  return out;
}

export function containerSpecFromStore(c: ContainerSpec): DockerContainerSpec {
  const out: DockerContainerSpec = { Image: c.image };
  const put = <K extends keyof DockerContainerSpec>(
    key: K,
    value: DockerContainerSpec[K] | undefined,
  ): void => {
    if (value !== undefined) out[key] = value;
  };
  put('Labels', nonEmptyMap(c.labels));
  put('Command', nonEmpty(c.command));
  put('Args', nonEmpty(c.args));
  put('Hostname', c.hostname);
  put('Env', nonEmpty(c.env));
  put('Dir', c.dir);
  put('User', c.user);
  put('Groups', nonEmpty(c.groups));
  put('Privileges', c.privileges === undefined ? undefined : privilegesFromStore(c.privileges));
  put('Init', c.init);
  put('StopSignal', c.stopSignal);
  if (c.tty) out.TTY = true;
  if (c.openStdin) out.OpenStdin = true;
  if (c.readOnly) out.ReadOnly = true;
  put('Mounts', c.mounts.length > 0 ? c.mounts.map(mountFromStore) : undefined);
  put(
    'StopGracePeriod',
    c.stopGracePeriod === undefined ? undefined : durationFromStore(c.stopGracePeriod, c.stopGracePeriodNs),
  );
  put('Healthcheck', c.healthcheck === undefined ? undefined : healthFromStore(c.healthcheck));
  put('Hosts', nonEmpty(c.hosts));
  if (c.dnsConfig !== undefined) {
    const d = c.dnsConfig;
    out.DNSConfig = {};
    if (d.nameservers.length > 0) out.DNSConfig.Nameservers = [...d.nameservers];
    if (d.search.length > 0) out.DNSConfig.Search = [...d.search];
    if (d.options.length > 0) out.DNSConfig.Options = [...d.options];
  }
  put(
    'Secrets',
    c.secrets.length > 0
      ? c.secrets.map((s) => ({
          File: fileFromStore(s.file),
          SecretID: s.secretId,
          SecretName: s.secretName,
        }))
      : undefined,
  );
  put(
    'Configs',
    c.configs.length > 0
      ? c.configs.map((s) => ({
          File: fileFromStore(s.file),
          ConfigID: s.configId,
          ConfigName: s.configName,
        }))
      : undefined,
  );
  put('Isolation', isolationFromStore(c.isolation));
  put('Sysctls', nonEmptyMap(c.sysctls));
  put('CapabilityAdd', nonEmpty(c.capabilityAdd));
  put('CapabilityDrop', nonEmpty(c.capabilityDrop));
  put('Ulimits', c.ulimits === undefined ? undefined : ulimitsFromStore(c.ulimits));
  put('OomScoreAdj', c.oomScoreAdj);
  return out;
}

// Docker's ServiceSpec (POST /services/create, /services/{id}/update) as a TypeBox schema.

import { Type, type Static } from '@sinclair/typebox';
import {
  Bool,
  DriverSchema,
  Duration,
  Int64,
  Str,
  StringMap,
  StrList,
  Struct,
  Uint,
  Uint32,
} from './common.js';

export const MountSchema = Struct('mount.Mount', {
  Type: Str,
  Source: Str,
  Target: Str,
  ReadOnly: Bool,
  Consistency: Str,
  BindOptions: Struct('mount.BindOptions', {
    Propagation: Str,
    NonRecursive: Bool,
    CreateMountpoint: Bool,
    ReadOnlyNonRecursive: Bool,
    ReadOnlyForceRecursive: Bool,
  }),
  VolumeOptions: Struct('mount.VolumeOptions', {
    NoCopy: Bool,
    Labels: StringMap,
    Subpath: Str,
    DriverConfig: DriverSchema,
  }),
  // Options: each entry a flag ([name]) or an option ([name, value]).
  TmpfsOptions: Struct('mount.TmpfsOptions', {
    SizeBytes: Int64,
    Mode: Uint32,
    Options: Type.Array(StrList),
  }),
});

export const HealthConfigSchema = Struct('container.HealthConfig', {
  Test: StrList,
  Interval: Duration,
  Timeout: Duration,
  StartPeriod: Duration,
  StartInterval: Duration,
  Retries: Int64,
});

export const FileTargetSchema = Struct('swarm.SecretReferenceFileTarget', {
  Name: Str,
  UID: Str,
  GID: Str,
  Mode: Uint32,
});

export const SecretReferenceSchema = Struct('swarm.SecretReference', {
  File: FileTargetSchema,
  SecretID: Str,
  SecretName: Str,
});

export const ConfigReferenceSchema = Struct('swarm.ConfigReference', {
  File: FileTargetSchema,
  Runtime: Type.Object({}),
  ConfigID: Str,
  ConfigName: Str,
});

export const PrivilegesSchema = Struct('swarm.Privileges', {
  CredentialSpec: Struct('swarm.CredentialSpec', { Config: Str, File: Str, Registry: Str }),
  SELinuxContext: Struct('swarm.SELinuxContext', {
    Disable: Bool,
    User: Str,
    Role: Str,
    Type: Str,
    Level: Str,
  }),
  // Profile is a Go []byte: base64 in JSON.
  Seccomp: Struct('swarm.SeccompOpts', { Mode: Str, Profile: Str }),
  AppArmor: Struct('swarm.AppArmorOpts', { Mode: Str }),
  NoNewPrivileges: Bool,
});

export const UlimitSchema = Struct('container.Ulimit', { Name: Str, Hard: Int64, Soft: Int64 });

export const ContainerSpecSchema = Struct('swarm.ContainerSpec', {
  Image: Str,
  Labels: StringMap,
  Command: StrList,
  Args: StrList,
  Hostname: Str,
  Env: StrList,
  Dir: Str,
  User: Str,
  Groups: StrList,
  Privileges: PrivilegesSchema,
  Init: Bool,
  StopSignal: Str,
  TTY: Bool,
  OpenStdin: Bool,
  ReadOnly: Bool,
  Mounts: Type.Array(MountSchema),
  StopGracePeriod: Duration,
  Healthcheck: HealthConfigSchema,
  Hosts: StrList,
  DNSConfig: Struct('swarm.DNSConfig', { Nameservers: StrList, Search: StrList, Options: StrList }),
  Secrets: Type.Array(SecretReferenceSchema),
  Configs: Type.Array(ConfigReferenceSchema),
  Isolation: Str,
  Sysctls: StringMap,
  CapabilityAdd: StrList,
  CapabilityDrop: StrList,
  Ulimits: Type.Array(UlimitSchema),
  OomScoreAdj: Int64,
});

const GenericResourceSchema = Struct('swarm.GenericResource', {
  NamedResourceSpec: Struct('swarm.NamedGenericResource', { Kind: Str, Value: Str }),
  DiscreteResourceSpec: Struct('swarm.DiscreteGenericResource', { Kind: Str, Value: Int64 }),
});

export const ResourcesSchema = Struct('swarm.Resources', {
  NanoCPUs: Int64,
  MemoryBytes: Int64,
  GenericResources: Type.Array(GenericResourceSchema),
});

export const LimitSchema = Struct('swarm.Limit', { NanoCPUs: Int64, MemoryBytes: Int64, Pids: Int64 });

export const RestartPolicySchema = Struct('swarm.RestartPolicy', {
  Condition: Str,
  Delay: Duration,
  MaxAttempts: Uint,
  Window: Duration,
});

export const PlatformSchema = Struct('swarm.Platform', { Architecture: Str, OS: Str });

export const PlacementSchema = Struct('swarm.Placement', {
  Constraints: StrList,
  Preferences: Type.Array(
    Struct('swarm.PlacementPreference', { Spread: Struct('swarm.SpreadOver', { SpreadDescriptor: Str }) }),
  ),
  MaxReplicas: Uint,
  Platforms: Type.Array(PlatformSchema),
});

export const NetworkAttachmentConfigSchema = Struct('swarm.NetworkAttachmentConfig', {
  Target: Str,
  Aliases: StrList,
  DriverOpts: StringMap,
});

export const TaskSpecSchema = Struct('swarm.TaskSpec', {
  ContainerSpec: ContainerSpecSchema,
  PluginSpec: Type.Object({}),
  NetworkAttachmentSpec: Struct('swarm.NetworkAttachmentSpec', { ContainerID: Str }),
  Resources: Struct('swarm.ResourceRequirements', {
    Limits: LimitSchema,
    Reservations: ResourcesSchema,
    // Go *int64: absent and 0 differ (absent keeps the engine's default).
    SwapBytes: Int64,
    MemorySwappiness: Int64,
  }),
  RestartPolicy: RestartPolicySchema,
  Placement: PlacementSchema,
  Networks: Type.Array(NetworkAttachmentConfigSchema),
  LogDriver: DriverSchema,
  ForceUpdate: Uint,
  Runtime: Str,
});

export const ServiceModeSchema = Struct('swarm.ServiceMode', {
  Replicated: Struct('swarm.ReplicatedService', { Replicas: Uint }),
  Global: Type.Object({}),
  ReplicatedJob: Struct('swarm.ReplicatedJob', { MaxConcurrent: Uint, TotalCompletions: Uint }),
  GlobalJob: Type.Object({}),
});

export const UpdateConfigSchema = Struct('swarm.UpdateConfig', {
  Parallelism: Uint,
  Delay: Duration,
  FailureAction: Str,
  Monitor: Duration,
  MaxFailureRatio: Type.Number({ goType: 'float32' }),
  Order: Str,
});

export const PortConfigSchema = Struct('swarm.PortConfig', {
  Name: Str,
  Protocol: Str,
  TargetPort: Uint32,
  PublishedPort: Uint32,
  PublishMode: Str,
});

export const EndpointSpecSchema = Struct('swarm.EndpointSpec', {
  Mode: Str,
  Ports: Type.Array(PortConfigSchema),
});

export const ServiceSpecSchema = Struct('swarm.ServiceSpec', {
  Name: Str,
  Labels: StringMap,
  TaskTemplate: TaskSpecSchema,
  Mode: ServiceModeSchema,
  UpdateConfig: UpdateConfigSchema,
  RollbackConfig: UpdateConfigSchema,
  Networks: Type.Array(NetworkAttachmentConfigSchema),
  EndpointSpec: EndpointSpecSchema,
});

export type DockerServiceSpec = Static<typeof ServiceSpecSchema>;
export type DockerTaskSpec = Static<typeof TaskSpecSchema>;
export type DockerContainerSpec = Static<typeof ContainerSpecSchema>;
export type DockerPrivileges = Static<typeof PrivilegesSchema>;
export type DockerUlimit = Static<typeof UlimitSchema>;
export type DockerMount = Static<typeof MountSchema>;
export type DockerHealthConfig = Static<typeof HealthConfigSchema>;
export type DockerResources = Static<typeof ResourcesSchema>;
export type DockerLimit = Static<typeof LimitSchema>;
export type DockerRestartPolicy = Static<typeof RestartPolicySchema>;
export type DockerPlacement = Static<typeof PlacementSchema>;
export type DockerNetworkAttachmentConfig = Static<typeof NetworkAttachmentConfigSchema>;
export type DockerServiceMode = Static<typeof ServiceModeSchema>;
export type DockerUpdateConfig = Static<typeof UpdateConfigSchema>;
export type DockerEndpointSpec = Static<typeof EndpointSpecSchema>;
export type DockerPortConfig = Static<typeof PortConfigSchema>;
export type DockerDriver = Static<typeof DriverSchema>;

// What a task runs: the template a service stamps onto each of its tasks (Docker's TaskSpec).
// Shared by services (spec.taskTemplate) and tasks (a task keeps the spec it was created with).

import type { Driver, Labels, Platform, Resources } from './common.js';

export type MountType = 'bind' | 'volume' | 'tmpfs';
/** Docker's mount consistency (honoured by Docker Desktop's file sharing; Linux engines ignore it). */
export type MountConsistency = 'default' | 'consistent' | 'cached' | 'delegated';
export type MountPropagation = 'rprivate' | 'private' | 'rshared' | 'shared' | 'rslave' | 'slave';

/**
 * Docker's mount.BindOptions. The flags are optional so that objects stored before they
 * existed read as they did; absent means false.
 */
export interface BindOptions {
  propagation: MountPropagation;
  /** Bind only the source, not the mounts below it (API 1.40+). */
  nonRecursive?: boolean;
  /** Create the source path on the host when it is missing, instead of failing (API 1.42+). */
  createMountpoint?: boolean;
  /** With readOnly: make only the top mount read-only, not the ones below it (API 1.44+). */
  readOnlyNonRecursive?: boolean;
  /** With readOnly: fail rather than fall back when the kernel cannot make it read-only recursively. */
  readOnlyForceRecursive?: boolean;
}

export interface Mount {
  type: MountType;
  /** Host path (bind) or volume name (volume); absent for tmpfs and anonymous volumes. */
  source?: string;
  target: string;
  readOnly: boolean;
  consistency?: MountConsistency;
  bindOptions?: BindOptions;
  /** `subpath`: a path inside the volume to mount instead of its root (API 1.45+). */
  volumeOptions?: { noCopy: boolean; labels: Labels; driverConfig?: Driver; subpath?: string };
  /** `options`: mount flags, each [flag] or [key, value] (API 1.46+). */
  tmpfsOptions?: { sizeBytes: number; mode: number; options?: string[][] };
}

export interface HealthConfig {
  /** ["NONE"], ["CMD", ...args] or ["CMD-SHELL", command]. */
  test: string[];
  /** Durations in milliseconds; 0 means inherit the image's value. */
  interval: number;
  timeout: number;
  startPeriod: number;
  /** Interval during the start period (Docker API 1.44+), in milliseconds. */
  startInterval?: number;
  retries: number;
  /**
   * The durations in nanoseconds as the API gave them, for those that are not a whole number
   * of milliseconds (the API reads back what it was sent; the millisecond fields are used).
   */
  exactNs?: { interval?: number; timeout?: number; startPeriod?: number; startInterval?: number };
}

/** Where a secret or config lands inside the container. */
export interface FileTarget {
  name: string;
  uid: string;
  gid: string;
  mode: number;
}

export interface SecretReference {
  secretId: string;
  secretName: string;
  file: FileTarget;
}

export interface ConfigReference {
  configId: string;
  configName: string;
  file: FileTarget;
}

export interface DNSConfig {
  nameservers: string[];
  search: string[];
  options: string[];
}

/** Docker's Privileges.SELinuxContext: the label options the container is created with. */
export interface SELinuxContext {
  disable: boolean;
  user: string;
  role: string;
  type: string;
  level: string;
}

/** Docker's Privileges.CredentialSpec: a Windows managed service account, exactly one source. */
export interface CredentialSpec {
  config: string;
  file: string;
  registry: string;
}

export type SeccompMode = 'default' | 'unconfined' | 'custom';
export type AppArmorMode = 'default' | 'disabled';

/** Docker's ContainerSpec.Privileges: the security options of the task's container. */
export interface Privileges {
  /** Windows only: kept and read back, never applied on a Linux engine. */
  credentialSpec?: CredentialSpec;
  seLinuxContext?: SELinuxContext;
  /** `profile` is the custom profile's JSON, base64 as Docker's API carries it. */
  seccomp?: { mode: SeccompMode; profile?: string };
  appArmor?: { mode: AppArmorMode };
  noNewPrivileges: boolean;
}

/** One resource limit of the container's processes (setrlimit); -1 is unlimited. */
export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface ContainerSpec {
  image: string;
  labels: Labels;
  /** Overrides the image's entrypoint. */
  command: string[];
  /** Overrides the image's CMD. */
  args: string[];
  hostname?: string;
  /** "KEY=value" entries. */
  env: string[];
  dir?: string;
  user?: string;
  groups: string[];
  tty: boolean;
  openStdin: boolean;
  readOnly: boolean;
  mounts: Mount[];
  stopSignal?: string;
  /** Milliseconds between the stop signal and SIGKILL. */
  stopGracePeriod?: number;
  /** The grace period in nanoseconds as given, when not a whole number of milliseconds. */
  stopGracePeriodNs?: number;
  healthcheck?: HealthConfig;
  /** "IP hostname" entries for /etc/hosts. */
  hosts: string[];
  dnsConfig?: DNSConfig;
  secrets: SecretReference[];
  configs: ConfigReference[];
  init?: boolean;
  sysctls: Record<string, string>;
  capabilityAdd: string[];
  capabilityDrop: string[];
  privileges?: Privileges;
  /** Resource limits of the container's processes (Docker API 1.41+). */
  ulimits?: Ulimit[];
  /** 'default', 'process' or 'hyperv' (Windows isolation; a Linux engine refuses the last two). */
  isolation?: string;
  /** The OOM killer's score adjustment, -1000..1000 (Docker API 1.46+). */
  oomScoreAdj?: number;
}

export type RestartCondition = 'none' | 'on-failure' | 'any';

export interface RestartPolicy {
  condition: RestartCondition;
  /** Milliseconds to wait between restarts. */
  delay: number;
  /** 0 means unlimited. */
  maxAttempts: number;
  /** Milliseconds over which restarts are counted; 0 means unbounded. */
  window: number;
  /**
   * Delay and Window in nanoseconds as the Docker request gave them, where the millisecond
   * fields would read back otherwise: a Delay or Window that is not whole milliseconds, a
   * Window given as 0 (Docker keeps both as pointers: a given 0 reads back as 0).
   */
  given?: { delayNs?: number; windowNs?: number };
}

export interface PlacementPreference {
  /** A node attribute to spread over, e.g. "node.labels.datacenter". */
  spread: string;
}

export interface Placement {
  /** e.g. "node.role==manager", "node.labels.zone!=b". */
  constraints: string[];
  preferences: PlacementPreference[];
  /** Maximum tasks of the service per node; 0 means unlimited. */
  maxReplicas: number;
  platforms: Platform[];
}

export interface NetworkAttachmentConfig {
  /** Network ID (or name in a spec, resolved to the ID by the API layer). */
  target: string;
  aliases: string[];
  driverOpts: Record<string, string>;
}

export interface ResourceRequirements {
  limits?: Resources;
  reservations?: Resources;
  /** Docker's Resources.Limits.Pids (API 1.41+): the most processes; 0 means unlimited. */
  pidsLimit?: number;
  /**
   * Docker's ResourceRequirements.SwapBytes (API 1.52+): swap on top of the memory limit, -1
   * unlimited; absent leaves the engine's default (as much swap as memory). Needs a memory limit.
   */
  swapBytes?: number;
  /** Docker's ResourceRequirements.MemorySwappiness (API 1.52+): 0..100, -1 the engine's default. */
  memorySwappiness?: number;
}

/**
 * A container outside any service attached to a swarm network (`docker run --network` on an
 * attachable overlay): Docker's NetworkAttachmentSpec. Its task holds the container's address
 * on the network; no container is run for it.
 */
export interface NetworkAttachmentSpec {
  /** The engine's container ID, once the container exists ('' while it is being created). */
  containerId: string;
}

export interface TaskSpec {
  /** For an attachment task, an empty spec: the container is the user's, not the task's. */
  containerSpec: ContainerSpec;
  /** Present only on a network attachment task (Docker's Runtime "attachment"). */
  attachment?: NetworkAttachmentSpec;
  resources: ResourceRequirements;
  restartPolicy: RestartPolicy;
  placement: Placement;
  networks: NetworkAttachmentConfig[];
  logDriver?: Driver;
  /** Incremented to force a redeploy although nothing else changed (`--force`). */
  forceUpdate: number;
}

// The limits of every field the control layer accepts, as named numbers with the reason for
// each. Docker and swarmkit check few sizes (names, image references, the 500 KiB / 1000 KiB
// of secrets and configs); where they have no rule, shoal states its own so that no request
// can make a manager or an agent allocate in proportion to an untrusted number.

/**
 * A whole service spec, as JSON. A task carries its spec to its agent in one dispatcher
 * message of at most 2 MiB (MAX_OBJECT_BYTES in api/wire/json-codec.ts), next
 * to the task's other fields and network attachments; a quarter of it leaves ample room.
 */
export const MAX_SERVICE_SPEC_BYTES = 512 * 1024;
/** Node, network and cluster specs: far larger than any real one, far below a message. */
export const MAX_OBJECT_SPEC_BYTES = 256 * 1024;

/**
 * Replicas of one service, and tasks of a job (MaxConcurrent, TotalCompletions). Every task
 * is a stored object replicated by Raft and kept until the reaper removes it; 100,000 tasks
 * of ~2 KiB are ~200 MB of state, the most a shoal cluster can hold for one service.
 */
export const MAX_REPLICAS = 100_000;
/** Tasks of one service per node (Placement.MaxReplicas), and UpdateConfig.Parallelism. */
export const MAX_REPLICAS_PER_NODE = MAX_REPLICAS;

/**
 * Go's time.Duration is int64 nanoseconds; the store keeps milliseconds. Any longer duration
 * cannot be given to Docker's API at all. Delays the managers wait out (restart delay, update
 * delay and monitor) may be as long: the system clock and setLongTimeout wait out what a
 * single Node timer (2^31-1 ms, 24.8 days) cannot.
 */
export const MAX_DURATION_MS = Math.round(2 ** 63 / 1e6);
/** Labels (service, container, node, network, cluster, volume): count and sizes. */
export const MAX_LABELS = 1000;
export const MAX_LABEL_KEY_BYTES = 1024;
export const MAX_LABEL_VALUE_BYTES = 64 * 1024;
/** Driver options, sysctls, network driver options: like labels but fewer. */
export const MAX_OPTIONS = 256;
export const MAX_OPTION_KEY_BYTES = 1024;
export const MAX_OPTION_VALUE_BYTES = 4096;

/**
 * Command, args, env and healthcheck test: one entry at most Linux's MAX_ARG_STRLEN (32
 * pages, 128 KiB), since each becomes one argv or envp string of the container's process.
 */
export const MAX_ARG_ENTRIES = 10_000;
export const MAX_ARG_BYTES = 128 * 1024;

/** Paths (mount targets and sources, working dir, secret file names): Linux's PATH_MAX. */
export const MAX_PATH_BYTES = 4096;
/** Short free-form strings (user, hostname templates, signal, driver and kind names). */
export const MAX_SHORT_STRING_BYTES = 1024;
/** Host names and network aliases: DNS's 253 characters. */
export const MAX_DNS_NAME_BYTES = 253;

export const MAX_MOUNTS = 1000;
/**
 * Options of one tmpfs mount (TmpfsOptions.Options), and strings in one option. The engine
 * passes on two flags only (TMPFS_OPTION_NAMES), each at most [name, value]; the bounds leave
 * room for a later engine's flags while keeping a refused request small.
 */
export const MAX_TMPFS_OPTIONS = 16;
export const MAX_TMPFS_OPTION_STRINGS = 16;
/** The tmpfs options Docker's engine accepts (its validTmpfsOptions); it refuses any other. */
export const TMPFS_OPTION_NAMES: readonly string[] = ['exec', 'noexec'];
/** MemorySwappiness: the kernel's 0..100, or -1 for the engine's default (Docker's API range). */
export const MIN_MEMORY_SWAPPINESS = -1;
export const MAX_MEMORY_SWAPPINESS = 100;
/** SwapBytes: -1 is unlimited swap; the engine adds the rest to the memory limit. */
export const MIN_SWAP_BYTES = -1;
/** Placement constraints, preferences and platforms. */
export const MAX_CONSTRAINTS = 256;
export const MAX_PREFERENCES = 64;
export const MAX_PLATFORMS = 64;
/** Networks a service attaches to, and aliases on each. */
export const MAX_SERVICE_NETWORKS = 256;
export const MAX_NETWORK_ALIASES = 256;
/** Extra /etc/hosts lines, supplementary groups, capabilities. */
export const MAX_HOSTS = 1000;
export const MAX_GROUPS = 256;
export const MAX_CAPABILITIES = 128;
/** DNS settings: glibc reads 3 nameservers; other resolvers a few more. */
export const MAX_DNS_NAMESERVERS = 16;
export const MAX_DNS_SEARCH = 64;
export const MAX_DNS_OPTIONS = 64;
/**
 * A secret's and a config's data, in bytes (decoded): swarmkit's MaxSecretSize (500 KiB) and
 * MaxConfigSize (1000 KiB), exclusive as in swarmkit (data must be shorter than the limit).
 * Each travels to an agent with the task that needs it, in one dispatcher message.
 */
export const MAX_SECRET_DATA_BYTES = 500 * 1024;
export const MAX_CONFIG_DATA_BYTES = 1000 * 1024;
/** swarmkit's limit on a secret's or config's name (longer than a DNS label, 63). */
export const MAX_SECRET_NAME_LENGTH = 64;
/** Secret and config references of one service. */
export const MAX_SECRET_REFERENCES = 1000;
export const MAX_CONFIG_REFERENCES = 1000;
/**
 * A custom seccomp profile (ContainerSpec.Privileges.Seccomp.Profile), decoded. Docker's own
 * default profile is about 20 KiB pretty-printed; four times that leaves room for any edited
 * copy of it while a task (which carries its spec to its agent) stays far below a message.
 */
export const MAX_SECCOMP_PROFILE_BYTES = 128 * 1024;
/** An SELinux label part; a level may list many categories ("s0:c1,c2,…"). */
export const MAX_SELINUX_LABEL_BYTES = 4096;
/**
 * Ulimits of one container: the kernel has 16 resource limits (15 of them settable through
 * Docker); more entries than a few times that are no real request.
 */
export const MAX_ULIMITS = 64;
/** The ulimit names Docker's engine accepts (go-units; "as" is left out there too). */
export const ULIMIT_NAMES: readonly string[] = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
];
/** The kernel's range of oom_score_adj, which the engine enforces with the same words. */
export const MIN_OOM_SCORE_ADJ = -1000;
export const MAX_OOM_SCORE_ADJ = 1000;
/** Generic resources (GPUs and the like) one task reserves. */
export const MAX_GENERIC_RESOURCES = 64;

/** Published ports of one service: each is a rule on every node of the routing mesh. */
export const MAX_PORTS = 4096;
export const MAX_PORT = 65535;
/** File modes (secrets, configs, tmpfs): permission and special bits only. */
export const MAX_FILE_MODE = 0o7777;

/** IPAM configs (subnets) of one network. */
export const MAX_IPAM_CONFIGS = 64;
/** A CIDR or an address: the longest IPv6 CIDR is 43 characters. */
export const MAX_ADDRESS_BYTES = 64;
/** Containers outside services attached to swarm networks on one node (`docker run --network`). */
export const MAX_ATTACHMENTS_PER_NODE = 1024;
/** A container ID (the engine's are 64 hex digits). */
export const MAX_CONTAINER_ID_BYTES = 128;

/**
 * Cluster settings. Raft ticks: an election timeout of more than 1000 ticks (100 s at shoal's
 * tick) would leave a cluster leaderless for minutes; snapshot figures bounded by what fits in
 * the log. Heartbeat period at most one day and certificates at most ten years: longer values
 * serve nothing and overflow the timers that act on them.
 */
export const MAX_RAFT_TICKS = 1000;
export const MAX_SNAPSHOT_INTERVAL = 10_000_000;
export const MAX_KEEP_OLD_SNAPSHOTS = 1000;
export const MAX_LOG_ENTRIES_FOR_SLOW_FOLLOWERS = 10_000_000;
export const MAX_HEARTBEAT_PERIOD_MS = 24 * 60 * 60 * 1000;
/** swarmkit's ca.MinNodeCertExpiration. */
export const MIN_NODE_CERT_EXPIRY_MS = 60 * 60 * 1000;
export const MAX_NODE_CERT_EXPIRY_MS = 10 * 365 * 24 * 60 * 60 * 1000;
/** Finished tasks kept per slot; a negative limit keeps all (the reaper's meaning). */
export const MIN_TASK_HISTORY = -1;
export const MAX_TASK_HISTORY = 100_000;
export const MAX_EXTERNAL_CAS = 16;
/** A PEM certificate (a CA chain) given in the cluster spec. */
export const MAX_PEM_BYTES = 64 * 1024;

/** swarm join: managers to try, and the join token's length (SWMTKN-1-... is ~85). */
export const MAX_REMOTE_ADDRS = 64;
/** `swarm init --default-addr-pool` entries: a handful of pools in practice; 64 bounds the allocator's scan. */
export const MAX_ADDR_POOLS = 64;
/**
 * `swarm init --data-path-port`: dockerd's range, the registered ports (below are the system
 * ports, above the ephemeral ones a local socket may be given).
 */
export const MIN_DATA_PATH_PORT = 1024;
export const MAX_DATA_PATH_PORT = 49151;
export const MAX_JOIN_TOKEN_BYTES = 1024;

/** The map limits above, as checkMap takes them. */
export const LABEL_LIMITS = {
  maxEntries: MAX_LABELS,
  maxKeyBytes: MAX_LABEL_KEY_BYTES,
  maxValueBytes: MAX_LABEL_VALUE_BYTES,
} as const;
export const OPTION_LIMITS = {
  maxEntries: MAX_OPTIONS,
  maxKeyBytes: MAX_OPTION_KEY_BYTES,
  maxValueBytes: MAX_OPTION_VALUE_BYTES,
} as const;

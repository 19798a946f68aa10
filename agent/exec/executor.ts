// The Executor role: what a node's worker needs from a container runtime. One Executor per
// engine; one Controller per task. Implementations: docker/ (the Docker Engine over its API
// socket) and null/ (tasks that "run" in memory, for control-plane benchmarks). Both pass the
// shared suite in test/executor-suite.ts.

import type { Config, NodeDescription, Secret, Task } from '../../api/objects/index.js';

/** How a container's health check currently reports (`none`: the container has none). */
export type HealthState = 'none' | 'starting' | 'healthy' | 'unhealthy';

/** What the engine currently says about a task's container. */
export interface ContainerInfo {
  containerId: string;
  /** Process ID on the host while running; 0 otherwise. */
  pid: number;
  running: boolean;
  /** Exit code of the last run (0 while it never ran or still runs). */
  exitCode: number;
  /** ISO-8601; absent while the container was never started. */
  startedAt?: string;
  /** ISO-8601; absent while the container has not exited. */
  finishedAt?: string;
  health: HealthState;
}

/** How a task's process ended. */
export interface ExitStatus {
  exitCode: number;
  /** The kernel's OOM killer ended it. */
  oomKilled: boolean;
  /** An error the engine recorded for the run (e.g. a failed exec), if any. */
  error?: string;
  /** ISO-8601. */
  finishedAt: string;
}

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  stream: LogStream;
  /** ISO-8601 with the engine's precision (nanoseconds for Docker). */
  timestamp: string;
  /** One line of output without its newline. */
  line: string;
}

export interface LogOptions {
  /** Keep streaming new lines until `signal` aborts or the container is removed. */
  follow?: boolean;
  /** Only lines written at or after this time. */
  since?: Date;
  /**
   * Only the last `tail` lines of what is already written (then follow, if asked). As the
   * engine does, the count runs over the whole log, before `streams` filters it.
   */
  tail?: number;
  /** Which streams to include; both when absent. */
  streams?: readonly LogStream[];
  /** Ends the iteration (quietly) when aborted. */
  signal?: AbortSignal;
}

/** Progress notes a controller gives while it works ("pulling image", "health: starting"). */
export type ProgressListener = (message: string) => void;

export interface StepOptions {
  /** Aborts a long step (a pull, waiting for health); the step then rejects with AbortedError. */
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/**
 * Drives one task's container. Every method is idempotent against the engine's state, so a
 * controller built for a task whose container already exists (after an agent restart) adopts
 * it: prepare() finds it created, start() finds it started and does not start it again.
 */
export interface Controller {
  readonly taskId: string;
  /** Pulls the image if missing (bounded by the executor's pull timeout) and creates the container. */
  prepare(options?: StepOptions): Promise<void>;
  /**
   * Starts the container unless it was started before. With a health check, resolves only once
   * the container reports healthy (progress notes tell the health state meanwhile) and rejects
   * with ContainerUnhealthyError if it turns unhealthy or exits first.
   */
  start(options?: StepOptions): Promise<void>;
  /**
   * Resolves with the exit status once the process ends. Rejects with ContainerUnhealthyError if
   * the health check fails while it runs, ContainerNotFoundError if the container is gone.
   */
  wait(signal?: AbortSignal): Promise<ExitStatus>;
  /** Stops the process: stop signal, then SIGKILL after the grace period (ms). No-op if not running. */
  shutdown(graceMs?: number): Promise<void>;
  /** Kills the process at once. No-op if not running. */
  terminate(): Promise<void>;
  /** Removes the container (and its anonymous volumes). No-op if it does not exist. */
  remove(): Promise<void>;
  /** The container's current state, or undefined when it does not exist. */
  inspect(): Promise<ContainerInfo | undefined>;
  logs(options?: LogOptions): AsyncIterable<LogEntry>;
}

/** A container the executor made for a task (found by its labels), for adoption or clean-up. */
export interface ManagedContainer {
  containerId: string;
  name: string;
  taskId: string;
  serviceId: string;
  nodeId: string;
  running: boolean;
}

/**
 * The secrets and configs the managers sent this node, looked up by ID when a task is prepared.
 * The worker holds them in memory only; an executor reads them, never keeps them.
 */
export interface TaskDependencies {
  secret(id: string): Secret | undefined;
  config(id: string): Config | undefined;
}

export interface Executor {
  /** The node as the engine sees it: hostname, platform, resources, engine version and labels. */
  describe(): Promise<NodeDescription>;
  /**
   * A controller for the task (cheap: touches the engine only when its methods are called).
   * `dependencies` resolves the secrets and configs the task references when it is prepared.
   */
  controller(task: Task, dependencies?: TaskDependencies): Controller;
  /** Every container this executor manages on the engine, running or not. */
  listManaged(): Promise<ManagedContainer[]>;
  /** Force-removes a managed container (one whose task is no longer assigned). No-op if gone. */
  removeManaged(containerId: string): Promise<void>;
  /**
   * Removes what the executor keeps on the host for tasks that are not in `assigned` (their
   * secrets' in-memory filesystems), e.g. leftovers of tasks unassigned while the agent was down.
   */
  removeUnassigned?(assigned: ReadonlySet<string>): Promise<void>;
}

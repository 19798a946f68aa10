// The seam between the HTTP API (Docker Engine API, swarm subset) and the node daemon.
// The API layer (manager/engineapi) translates Docker's JSON to and from store objects and calls
// this; the daemon (daemon) implements it. Reads come from the local replicated store;
// writes go through `store.update()` and work only on the Raft leader: a follower's store
// rejects them with NotLeaderError (api/errors.ts), and the API answers by forwarding the whole
// HTTP request to the leader with `forwardToLeader`.

import type { InitRequest, JoinRequest, LocalNodeState } from '../controlapi/index.js';
import type { MemoryStore } from '../store/index.js';

export type { InitRequest, JoinRequest, LocalNodeState } from '../controlapi/index.js';

export interface JoinTokensView {
  readonly worker: string;
  readonly manager: string;
}

/** A request forwarded to the leader's API, and its answer. */
export interface ForwardedRequest {
  readonly method: string;
  /** Path with query string, e.g. "/v1.41/services/create". */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface ForwardedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds, as the engine gives it. */
  readonly timestamp: string;
  readonly line: Uint8Array;
  readonly taskId: string;
  readonly nodeId: string;
  readonly serviceId: string;
}

export interface LogsOptions {
  readonly follow: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly since?: string;
  readonly timestamps: boolean;
  /** Number of lines from the end, or 'all'. */
  readonly tail: number | 'all';
  readonly signal: AbortSignal;
}

export interface EngineFacts {
  readonly name: string;
  readonly serverVersion: string;
  readonly operatingSystem: string;
  readonly osType: string;
  readonly architecture: string;
  readonly ncpu: number;
  readonly memTotal: number;
  readonly kernelVersion: string;
}

/** A container outside any service joining a swarm network on this node. */
export interface NetworkAttachRequest {
  /** The network as the user named it (ID, name or ID prefix). */
  readonly network: string;
  /** The container's ID when it exists (`docker network connect`). */
  readonly containerId?: string;
  /** `--ip`, if given. */
  readonly address?: string;
  readonly aliases?: readonly string[];
}

export interface NetworkAttachResult {
  readonly attachmentId: string;
  readonly networkId: string;
  /** The network's name in the node's engine. */
  readonly engineNetwork: string;
  /** The container's address on it, without prefix length. */
  readonly address: string;
}

export interface SwarmControl {
  /** This node's state in the swarm. */
  localNodeState(): LocalNodeState;
  /** Why this node is in the 'error' state (e.g. it was removed from the swarm); '' if it is not. */
  nodeError?(): string;
  /** This node's ID once it is part of a swarm. */
  nodeId(): string | undefined;
  /** This node's address as other nodes reach it (host only, as Docker's NodeAddr). */
  nodeAddr(): string | undefined;
  isManager(): boolean;
  /** IDs and addresses of the managers this node knows (Docker's RemoteManagers). */
  remoteManagers(): readonly { readonly nodeId: string; readonly addr: string }[];
  /** Facts about the local engine for /info and /version. */
  engine(): Promise<EngineFacts>;
  /**
   * Attaches a container-to-be to a swarm network through this node's agent; undefined when
   * the swarm has no such network (the engine then answers for its own). A refusal is thrown
   * as an ApiError with Docker's status and message.
   */
  attachNetwork?(req: NetworkAttachRequest, signal?: AbortSignal): Promise<NetworkAttachResult | undefined>;
  /** Releases an attachment whose container was not created after all. */
  detachNetwork?(attachmentId: string): Promise<void>;

  /** Makes this node the first manager of a new swarm; resolves with its node ID. */
  init(req: InitRequest): Promise<string>;
  join(req: JoinRequest): Promise<void>;
  /** Leaves the swarm. A manager refuses without `force` (Docker's wording). */
  leave(force: boolean): Promise<void>;

  /**
   * The local replicated store. Throws NotManagerError on a worker. Reads are served locally,
   * also while the Raft group has no leader (then they are this manager's last copy, see
   * hasLeader); writes succeed only on the leader (else NotLeaderError).
   */
  store(): MemoryStore;
  /**
   * On a manager: the Raft member ID of the leader this manager knows now, 0 when it knows
   * none. Without one, writes cannot succeed, and reads may be stale for as long as it lasts:
   * /info says so in Swarm.Error, and read answers carry a staleness warning. `node ls` marks
   * the Leader from this, not from the stored record, which is only as fresh as this copy.
   */
  leaderRaftId(): number;
  /**
   * Sends an HTTP request to the leader's API and returns its answer (followers only). Throws
   * LeaderNotReachedError when no leader ran it (may be retried), ForwardOutcomeUnknownError
   * when it may have run but its answer was lost (must not be sent again).
   */
  forwardToLeader(req: ForwardedRequest): Promise<ForwardedResponse>;

  joinTokens(): JoinTokensView;
  /** Rotates a join token (on the leader); the old one stops working. */
  rotateJoinToken(role: 'worker' | 'manager'): Promise<void>;
  /** The managers' unlock key ('' when autolock is off). */
  unlockKey(): string;
  /**
   * `swarm unlock` on a locked manager: opens its keys with `key` (the unlock key's bytes) and
   * starts it. Refuses a key that does not open them (invalidUnlockKey, 400).
   */
  unlock(key: Uint8Array): Promise<void>;

  /** Log lines of the given tasks, gathered from the agents that run them. */
  taskLogs(taskIds: readonly string[], opts: LogsOptions): AsyncIterable<LogLine>;
}

// This node's membership of a swarm: what `swarm init`, `swarm join`, `swarm leave` and
// `swarm unlock` may do in the node's state, and the bounds of their requests, with Docker's
// wording. The daemon carries the requests out (it owns the node's keys, Raft and agent); these
// pure rules decide whether it may, and the refusals carry what the docker CLI prints.

import type { DockerLocalNodeState } from '../../api/docker/system-info.js';
import { parseUnlockKey } from '../../api/unlock-key.js';
import type { ClusterSpec } from '../../api/objects/index.js';
import { checkInteger, checkMap, checkString, checkStrings } from './field-checks.js';
import * as L from './limits.js';
import { badRequest, conflict, type Refusal, unavailable } from './refusal.js';
import {
  checkCertExpiry,
  checkHeartbeat,
  checkRaftSpec,
  checkTaskDefaults,
  checkTaskHistory,
  DEFAULT_CLUSTER_RAFT,
} from './swarm-rules.js';

/** Docker's LocalNodeState (api/docker), less the '' the schema admits from other engines. */
export type LocalNodeState = Exclude<DockerLocalNodeState, ''>;

/** A node's availability as `swarm join --availability` gives it. */
export type JoinAvailability = 'active' | 'pause' | 'drain';

export interface InitRequest {
  readonly listenAddr: string;
  readonly advertiseAddr?: string;
  readonly dataPathAddr?: string;
  readonly forceNewCluster: boolean;
  /**
   * Initial cluster settings the API accepted (Docker's InitRequest.Spec, and its
   * DefaultAddrPool and SubnetSize); what is left out takes swarmkit's defaults.
   */
  readonly spec?: {
    readonly name?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly taskHistoryRetentionLimit?: number;
    readonly raft?: Partial<ClusterSpec['raft']>;
    readonly heartbeatPeriodMs?: number;
    /** The heartbeat period in nanoseconds as given, when not whole milliseconds. */
    readonly heartbeatPeriodNs?: number;
    readonly nodeCertExpiryMs?: number;
    readonly nodeCertExpiryNs?: number;
    readonly forceRotate?: number;
    readonly defaultAddrPool?: readonly string[];
    readonly subnetSize?: number;
    readonly taskDefaults?: ClusterSpec['taskDefaults'];
    /** The VXLAN UDP port (`--data-path-port`); Docker's 4789 when left out. */
    readonly dataPathPort?: number;
  };
  readonly autoLockManagers?: boolean;
}

export interface JoinRequest {
  readonly listenAddr: string;
  readonly advertiseAddr?: string;
  readonly dataPathAddr?: string;
  readonly remoteAddrs: readonly string[];
  readonly joinToken: string;
  readonly availability?: JoinAvailability;
}

/** init/join on a node that is already in a swarm (Docker's 503). */
export function swarmExists(): Refusal {
  return unavailable(
    'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.',
    'SWARM_EXISTS',
  );
}

/** leave on a node that is in no swarm (Docker's 503). */
export function notInSwarmToLeave(): Refusal {
  return unavailable('This node is not part of a swarm', 'NOT_IN_SWARM');
}

/** leave without force on a manager (Docker's 503 and wording for the last manager). */
export function managerLeaveRefused(): Refusal {
  return unavailable(
    'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message. ',
    'UNAVAILABLE',
  );
}

/** The availability a `swarm init` or `swarm join` asks for ('' or absent: the default). */
export function joinAvailability(value: string | undefined): JoinAvailability | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'active' || value === 'pause' || value === 'drain') return value;
  throw badRequest(`invalid Availability: ${JSON.stringify(value)}`);
}

function checkAddresses(req: { listenAddr: string; advertiseAddr?: string; dataPathAddr?: string }): void {
  checkString('ListenAddr', req.listenAddr, L.MAX_SHORT_STRING_BYTES);
  if (req.advertiseAddr !== undefined)
    checkString('AdvertiseAddr', req.advertiseAddr, L.MAX_SHORT_STRING_BYTES);
  if (req.dataPathAddr !== undefined) checkString('DataPathAddr', req.dataPathAddr, L.MAX_SHORT_STRING_BYTES);
}

/** The bounds of `swarm init` (the daemon builds the cluster spec from these). */
export function checkInitRequest(req: InitRequest): void {
  checkAddresses(req);
  const spec = req.spec;
  if (spec === undefined) return;
  if (spec.name !== undefined) checkString('Spec: Name', spec.name, L.MAX_SHORT_STRING_BYTES);
  if (spec.taskHistoryRetentionLimit !== undefined) checkTaskHistory(spec.taskHistoryRetentionLimit);
  if (spec.heartbeatPeriodMs !== undefined) checkHeartbeat(spec.heartbeatPeriodMs);
  if (spec.nodeCertExpiryMs !== undefined) checkCertExpiry(spec.nodeCertExpiryMs);
  if (spec.labels !== undefined) checkMap('Labels', spec.labels, L.LABEL_LIMITS);
  if (spec.raft !== undefined) checkRaftSpec({ ...DEFAULT_CLUSTER_RAFT, ...spec.raft });
  if (spec.forceRotate !== undefined) {
    checkInteger('CAConfig: ForceRotate', spec.forceRotate, 0, Number.MAX_SAFE_INTEGER);
  }
  if (spec.defaultAddrPool !== undefined) {
    checkStrings('DefaultAddrPool', spec.defaultAddrPool, L.MAX_ADDR_POOLS, L.MAX_SHORT_STRING_BYTES);
    for (const pool of spec.defaultAddrPool) {
      if (!IPV4_CIDR.test(pool)) throw badRequest(`invalid default address pool ${JSON.stringify(pool)}`);
    }
  }
  // swarmkit's bounds: a subnet of at least 4 addresses, no larger than the pools.
  if (spec.subnetSize !== undefined) checkInteger('SubnetSize', spec.subnetSize, 1, 29);
  if (spec.taskDefaults !== undefined) checkTaskDefaults(spec.taskDefaults);
  if (spec.dataPathPort !== undefined) checkDataPathPort(spec.dataPathPort);
}

/** dockerd's range for `--data-path-port` (the registered ports, as IANA assigns them). */
export function checkDataPathPort(port: number): void {
  if (!Number.isSafeInteger(port) || port < L.MIN_DATA_PATH_PORT || port > L.MAX_DATA_PATH_PORT) {
    throw badRequest(
      `Datapath port number is not in valid range (${L.MIN_DATA_PATH_PORT}-${L.MAX_DATA_PATH_PORT}) : ${port}`,
    );
  }
}

/** An IPv4 prefix as `swarm init --default-addr-pool` takes it. */
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;

/** A `swarm join` needs a manager to ask (dockerd's wording). */
export function checkRemoteAddrs(remoteAddrs: readonly string[]): void {
  if (remoteAddrs.length === 0) throw badRequest('at least 1 RemoteAddr is required to join');
}

/** The bounds of `swarm join` (the daemon dials every remote address). */
export function checkJoinRequest(req: JoinRequest): void {
  checkRemoteAddrs(req.remoteAddrs);
  checkAddresses(req);
  checkStrings('RemoteAddrs', req.remoteAddrs, L.MAX_REMOTE_ADDRS, L.MAX_SHORT_STRING_BYTES);
  checkString('JoinToken', req.joinToken, L.MAX_JOIN_TOKEN_BYTES);
}

/** What a node knows of itself when asked to init, join or leave. */
export interface Membership {
  /** Whether the node is part of a swarm (joined, or init'ed, and not yet left). */
  readonly inSwarm: boolean;
  /** Whether it takes part as a manager. */
  readonly manager: boolean;
  /** Whether the managers removed it (`docker node rm`): it has nothing left to protect. */
  readonly removed?: boolean;
}

/** Manager-only requests on a worker (Docker's 503 and wording). */
export function notSwarmManager(): Refusal {
  return unavailable(
    "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
    'NOT_MANAGER',
  );
}

/**
 * `swarm init`: on a node in no swarm, a new swarm (with or without --force-new-cluster, as
 * dockerd). With --force-new-cluster on a manager of a swarm (even one whose group has lost its
 * quorum), disaster recovery: the swarm goes on from this manager's state with it alone. A
 * worker has no state to recover from, and a removed node's state is no longer the swarm's.
 */
export function checkInit(m: Membership, forceNewCluster = false): 'new-swarm' | 'force-new-cluster' {
  if (!m.inSwarm) return 'new-swarm';
  if (!forceNewCluster) throw swarmExists();
  if (!m.manager || m.removed === true) throw notSwarmManager();
  return 'force-new-cluster';
}

/** `swarm join`: only on a node in no swarm, with a manager to ask. */
export function checkJoin(m: Membership, req: Pick<JoinRequest, 'remoteAddrs'>): void {
  if (m.inSwarm) throw swarmExists();
  checkRemoteAddrs(req.remoteAddrs);
}

/** `swarm leave`: a manager leaves only with force (it may hold the swarm's last state). */
export function checkLeave(m: Membership, force: boolean): void {
  if (!m.inSwarm) throw notInSwarmToLeave();
  if (m.manager && !force && m.removed !== true) throw managerLeaveRefused();
}

/** An unlock key that does not open this manager's keys (Docker's 400 and wording). */
export function invalidUnlockKey(): Refusal {
  return badRequest('swarm could not be unlocked: invalid key supplied');
}

/** `swarm unlock` on a node that is not locked (Docker's 409). */
export function swarmNotLocked(): Refusal {
  return conflict('swarm is not locked');
}

/** `swarm unlock`: only on a locked manager, with a well-formed key; answers the key's bytes. */
export function checkUnlock(state: LocalNodeState, unlockKey: string): Uint8Array {
  if (state !== 'locked') throw swarmNotLocked();
  const key = parseUnlockKey(unlockKey);
  if (key === undefined) {
    throw badRequest(
      'swarm could not be unlocked: invalid key supplied (an unlock key is SWMKEY-1- followed by 43 base64 characters, as `docker swarm unlock-key` shows it)',
    );
  }
  return key;
}

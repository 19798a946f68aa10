// The swarm: limits of the cluster spec and swarmkit's validateClusterSpec rules (with its
// messages), for `swarm update` (membership-rules.ts has `swarm init`, `join` and `leave`).
// Pure: (readTx, request) → writes or a refusal.

import type { ClusterRootCA } from '../../api/objects/cluster.js';
import type { Cluster, ClusterSpec, ReadTx } from '../store/index.js';
import { decide, type Decision } from './decision.js';
import { checkCount, checkInteger, checkMap, checkSerializedSize, checkString } from './field-checks.js';
import * as L from './limits.js';
import { badRequest, failedPrecondition, invalidArgument, notFound } from './refusal.js';
import { MANAGER_UNLOCK_SUBSYSTEM, managerUnlockKey, parseUnlockKey } from '../../api/unlock-key.js';

const NEGATIVE_HEARTBEAT = 'invalid heartbeat period: must be positive';
const SHORT_EXPIRY = 'minimum certificate expiry time is: 1h0m0s';

export function checkHeartbeat(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw badRequest(NEGATIVE_HEARTBEAT);
  checkInteger('Dispatcher: HeartbeatPeriod (ms)', Math.round(ms), 0, L.MAX_HEARTBEAT_PERIOD_MS);
}

export function checkCertExpiry(ms: number): void {
  if (!Number.isFinite(ms) || ms < L.MIN_NODE_CERT_EXPIRY_MS) throw invalidArgument(SHORT_EXPIRY);
  checkInteger('CAConfig: NodeCertExpiry (ms)', Math.round(ms), 0, L.MAX_NODE_CERT_EXPIRY_MS);
}

export function checkTaskHistory(limit: number): void {
  checkInteger('Orchestration: TaskHistoryRetentionLimit', limit, L.MIN_TASK_HISTORY, L.MAX_TASK_HISTORY);
}

/** swarmkit's Raft settings for a new swarm (Docker's `swarm init` defaults). */
export const DEFAULT_CLUSTER_RAFT: Readonly<ClusterSpec['raft']> = {
  snapshotInterval: 10_000,
  keepOldSnapshots: 0,
  logEntriesForSlowFollowers: 500,
  electionTick: 10,
  heartbeatTick: 1,
};

/** Every field of a cluster spec within its limits, and swarmkit's rules on them. */
export function checkClusterSpec(spec: ClusterSpec): void {
  checkSerializedSize('swarm spec', spec, L.MAX_OBJECT_SPEC_BYTES);
  checkString('Name', spec.name, L.MAX_SHORT_STRING_BYTES);
  checkMap('Labels', spec.labels, L.LABEL_LIMITS);
  checkTaskHistory(spec.orchestration.taskHistoryRetentionLimit);
  checkRaftSpec(spec.raft);
  checkHeartbeat(spec.dispatcher.heartbeatPeriod);
  checkCertExpiry(spec.caConfig.nodeCertExpiry);
  checkCount('CAConfig: ExternalCAs', spec.caConfig.externalCAs, L.MAX_EXTERNAL_CAS);
  for (const ca of spec.caConfig.externalCAs) {
    checkString('CAConfig: ExternalCAs: URL', ca.url, L.MAX_SHORT_STRING_BYTES);
    checkMap('CAConfig: ExternalCAs: Options', ca.options, L.OPTION_LIMITS);
    checkString('CAConfig: ExternalCAs: CACert', ca.caCert, L.MAX_PEM_BYTES);
  }
  checkInteger('CAConfig: ForceRotate', spec.caConfig.forceRotate, 0, Number.MAX_SAFE_INTEGER);
  checkTaskDefaults(spec.taskDefaults);
}

/** The default log driver within the limits a service's own log driver has. */
export function checkTaskDefaults(t: ClusterSpec['taskDefaults']): void {
  const d = t?.logDriver;
  if (d === undefined) return;
  checkString('TaskDefaults: LogDriver.Name', d.name, L.MAX_SHORT_STRING_BYTES);
  checkMap('TaskDefaults: LogDriver.Options', d.options, L.OPTION_LIMITS);
}

/** The Raft settings of a cluster spec within their limits. */
export function checkRaftSpec(raft: ClusterSpec['raft']): void {
  checkInteger('Raft: SnapshotInterval', raft.snapshotInterval, 1, L.MAX_SNAPSHOT_INTERVAL);
  checkInteger('Raft: KeepOldSnapshots', raft.keepOldSnapshots, 0, L.MAX_KEEP_OLD_SNAPSHOTS);
  checkInteger(
    'Raft: LogEntriesForSlowFollowers',
    raft.logEntriesForSlowFollowers,
    0,
    L.MAX_LOG_ENTRIES_FOR_SLOW_FOLLOWERS,
  );
  checkInteger('Raft: HeartbeatTick', raft.heartbeatTick, 1, L.MAX_RAFT_TICKS);
  checkInteger('Raft: ElectionTick', raft.electionTick, 1, L.MAX_RAFT_TICKS);
  // etcd's raft (and shoal's) needs it: a follower must hear several heartbeats per timeout.
  if (raft.electionTick <= raft.heartbeatTick) {
    throw invalidArgument('Raft: ElectionTick must be greater than HeartbeatTick');
  }
}

export interface UpdateSwarmRequest {
  /** The client's ?version= (the store refuses a stale one). */
  readonly version: number;
  /** The spec to store: Docker's spec merged onto the current one by the route. */
  readonly spec: ClusterSpec;
  /** `?rotateManagerUnlockKey=true`: a new unlock key replaces the current one (autolock on). */
  readonly rotateManagerUnlockKey: boolean;
  /** A new random unlock key (api/unlock-key.ts), used if autolock needs one. */
  readonly freshUnlockKey: string;
  /**
   * A root CA rotation started, replaced or cancelled (ca-rotation-rules.ts decided it, from the
   * cluster's root CA `basedOn`): stored only if the root CA is still that one.
   */
  readonly rootCA?: { readonly next: ClusterRootCA; readonly basedOn: ClusterRootCA };
}

/** The swarm's cluster object; a manager that has none yet is not one (Docker's 404). */
export function currentCluster(tx: ReadTx): Cluster {
  const cluster = tx.list('clusters')[0];
  if (cluster === undefined) throw notFound('This node is not a swarm manager.');
  return cluster;
}

/**
 * The managers' unlock keys after an update: autolock on keeps the current key, or takes
 * `freshUnlockKey` if there is none yet or a rotation was asked; autolock off drops it (a
 * rotation without autolock changes nothing, as in swarmkit).
 */
function unlockKeysAfter(cluster: Cluster, req: UpdateSwarmRequest): Cluster['unlockKeys'] {
  const others = cluster.unlockKeys.filter((k) => k.subsystem !== MANAGER_UNLOCK_SUBSYSTEM);
  if (!req.spec.encryptionConfig.autoLockManagers) return others;
  const current = managerUnlockKey(cluster);
  if (current !== '' && !req.rotateManagerUnlockKey) return cluster.unlockKeys;
  if (parseUnlockKey(req.freshUnlockKey) === undefined) {
    throw badRequest('a new unlock key must be a SWMKEY-1- key');
  }
  return [...others, { subsystem: MANAGER_UNLOCK_SUBSYSTEM, key: req.freshUnlockKey }];
}

export function updateSwarm(tx: ReadTx, req: UpdateSwarmRequest): Decision {
  return decide(() => {
    const cluster = currentCluster(tx);
    checkClusterSpec(req.spec);
    if (req.spec.name !== cluster.spec.name)
      throw invalidArgument('modification of cluster name is not allowed');
    let rootCA = cluster.rootCA;
    if (req.rootCA !== undefined) {
      const base = req.rootCA.basedOn;
      if (
        base.caCertDigest !== cluster.rootCA.caCertDigest ||
        base.rootRotation?.caCert !== cluster.rootCA.rootRotation?.caCert
      ) {
        throw failedPrecondition('the root CA changed while this update was prepared; try again');
      }
      rootCA = req.rootCA.next;
    }
    return [
      {
        op: 'update',
        table: 'clusters',
        object: {
          ...cluster,
          spec: req.spec,
          rootCA,
          unlockKeys: unlockKeysAfter(cluster, req),
          meta: { ...cluster.meta, version: req.version },
        },
      },
    ];
  });
}

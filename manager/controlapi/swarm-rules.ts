// The swarm: limits of the cluster spec and swarmkit's validateClusterSpec rules (with its
// messages), for `swarm update`, and the bounds of `swarm init` and `swarm join` requests.
// Pure: (readTx, request) → writes or a refusal.

import type { InitRequest, JoinRequest } from '../engineapi/swarm-control.js';
import type { ClusterSpec, ReadTx } from '../store/index.js';
import { decide, type Decision } from './decision.js';
import {
  checkCount,
  checkInteger,
  checkMap,
  checkSerializedSize,
  checkString,
  checkStrings,
} from './field-checks.js';
import * as L from './limits.js';
import { badRequest, invalidArgument, notFound } from './refusal.js';

const NEGATIVE_HEARTBEAT = 'invalid heartbeat period: must be positive';
const SHORT_EXPIRY = 'minimum certificate expiry time is: 1h0m0s';

function checkHeartbeat(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw badRequest(NEGATIVE_HEARTBEAT);
  checkInteger('Dispatcher: HeartbeatPeriod (ms)', Math.round(ms), 0, L.MAX_HEARTBEAT_PERIOD_MS);
}

function checkCertExpiry(ms: number): void {
  if (!Number.isFinite(ms) || ms < L.MIN_NODE_CERT_EXPIRY_MS) throw invalidArgument(SHORT_EXPIRY);
  checkInteger('CAConfig: NodeCertExpiry (ms)', Math.round(ms), 0, L.MAX_NODE_CERT_EXPIRY_MS);
}

function checkTaskHistory(limit: number): void {
  checkInteger('Orchestration: TaskHistoryRetentionLimit', limit, L.MIN_TASK_HISTORY, L.MAX_TASK_HISTORY);
}

/** Every field of a cluster spec within its limits, and swarmkit's rules on them. */
export function checkClusterSpec(spec: ClusterSpec): void {
  checkSerializedSize('swarm spec', spec, L.MAX_OBJECT_SPEC_BYTES);
  checkString('Name', spec.name, L.MAX_SHORT_STRING_BYTES);
  checkMap('Labels', spec.labels, L.LABEL_LIMITS);
  checkTaskHistory(spec.orchestration.taskHistoryRetentionLimit);
  const raft = spec.raft;
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
  checkHeartbeat(spec.dispatcher.heartbeatPeriod);
  checkCertExpiry(spec.caConfig.nodeCertExpiry);
  checkCount('CAConfig: ExternalCAs', spec.caConfig.externalCAs, L.MAX_EXTERNAL_CAS);
  for (const ca of spec.caConfig.externalCAs) {
    checkString('CAConfig: ExternalCAs: URL', ca.url, L.MAX_SHORT_STRING_BYTES);
    checkMap('CAConfig: ExternalCAs: Options', ca.options, L.OPTION_LIMITS);
    checkString('CAConfig: ExternalCAs: CACert', ca.caCert, L.MAX_PEM_BYTES);
  }
  checkInteger('CAConfig: ForceRotate', spec.caConfig.forceRotate, 0, Number.MAX_SAFE_INTEGER);
}

export interface UpdateSwarmRequest {
  /** The client's ?version= (the store refuses a stale one). */
  readonly version: number;
  /** The spec to store: Docker's spec merged onto the current one by the route. */
  readonly spec: ClusterSpec;
}

export function updateSwarm(tx: ReadTx, req: UpdateSwarmRequest): Decision {
  return decide(() => {
    const cluster = tx.list('clusters')[0];
    if (cluster === undefined) throw notFound('This node is not a swarm manager.');
    checkClusterSpec(req.spec);
    if (req.spec.name !== cluster.spec.name)
      throw invalidArgument('modification of cluster name is not allowed');
    return [
      {
        op: 'update',
        table: 'clusters',
        object: { ...cluster, spec: req.spec, meta: { ...cluster.meta, version: req.version } },
      },
    ];
  });
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
}

/** The bounds of `swarm join` (the daemon dials every remote address). */
export function checkJoinRequest(req: JoinRequest): void {
  checkAddresses(req);
  checkStrings('RemoteAddrs', req.remoteAddrs, L.MAX_REMOTE_ADDRS, L.MAX_SHORT_STRING_BYTES);
  checkString('JoinToken', req.joinToken, L.MAX_JOIN_TOKEN_BYTES);
}

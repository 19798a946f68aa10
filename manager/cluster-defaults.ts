// The Cluster object `swarm init` creates: Docker's defaults for every setting the user did not
// give, the root CA and the first join tokens.

import type { InitRequest } from './engineapi/swarm-control.js';
import { generateJoinTokens } from '../ca/join-token.js';
import type { RootCA } from '../ca/root-ca.js';
import type { NewObject } from '../api/objects/index.js';
import { MANAGER_UNLOCK_SUBSYSTEM } from '../api/unlock-key.js';
import { DEFAULT_NODE_CERT_EXPIRY_MS } from '../ca/node-certificate.js';
import { DEFAULT_CLUSTER_RAFT } from './controlapi/swarm-rules.js';

export const DEFAULT_HEARTBEAT_PERIOD_MS = 5_000;
export const DEFAULT_TASK_HISTORY_LIMIT = 5;
/** Docker's VXLAN UDP port, when `swarm init` gives none (or 0). */
export const DEFAULT_DATA_PATH_PORT = 4789;

/** `unlockKey`: `swarm init --autolock`'s key (api/unlock-key.ts); autolock is off without one. */
export function newClusterObject(
  id: string,
  ca: RootCA,
  spec: InitRequest['spec'] = {},
  unlockKey?: string,
): NewObject<'clusters'> {
  return {
    id,
    spec: {
      name: spec.name ?? 'default',
      labels: { ...(spec.labels ?? {}) },
      orchestration: {
        taskHistoryRetentionLimit: spec.taskHistoryRetentionLimit ?? DEFAULT_TASK_HISTORY_LIMIT,
      },
      raft: { ...DEFAULT_CLUSTER_RAFT, ...(spec.raft ?? {}) },
      dispatcher: {
        heartbeatPeriod: spec.heartbeatPeriodMs ?? DEFAULT_HEARTBEAT_PERIOD_MS,
        ...(spec.heartbeatPeriodNs === undefined ? {} : { heartbeatPeriodNs: spec.heartbeatPeriodNs }),
      },
      caConfig: {
        nodeCertExpiry: spec.nodeCertExpiryMs ?? DEFAULT_NODE_CERT_EXPIRY_MS,
        ...(spec.nodeCertExpiryNs === undefined ? {} : { nodeCertExpiryNs: spec.nodeCertExpiryNs }),
        externalCAs: [],
        forceRotate: spec.forceRotate ?? 0,
      },
      encryptionConfig: { autoLockManagers: unlockKey !== undefined },
      ...(spec.taskDefaults === undefined ? {} : { taskDefaults: structuredClone(spec.taskDefaults) }),
    },
    rootCA: {
      caCert: ca.certPem,
      caKey: ca.keyPem ?? '',
      caCertDigest: ca.digest,
      joinTokens: generateJoinTokens(ca.digest),
    },
    defaultAddrPool:
      spec.defaultAddrPool === undefined || spec.defaultAddrPool.length === 0
        ? ['10.0.0.0/8']
        : [...spec.defaultAddrPool],
    subnetSize: spec.subnetSize === undefined || spec.subnetSize === 0 ? 24 : spec.subnetSize,
    dataPathPort: spec.dataPathPort ?? DEFAULT_DATA_PATH_PORT,
    unlockKeys: unlockKey === undefined ? [] : [{ subsystem: MANAGER_UNLOCK_SUBSYSTEM, key: unlockKey }],
    removedNodes: [],
  };
}

// The Cluster object `swarm init` creates: Docker's defaults for every setting the user did not
// give, the root CA and the first join tokens.

import type { InitRequest } from './engineapi/swarm-control.js';
import { generateJoinTokens } from '../ca/join-token.js';
import type { RootCA } from '../ca/root-ca.js';
import type { NewObject } from '../api/objects/index.js';
import { MANAGER_UNLOCK_SUBSYSTEM } from '../api/unlock-key.js';
import { DEFAULT_NODE_CERT_EXPIRY_MS } from '../ca/node-certificate.js';

export const DEFAULT_HEARTBEAT_PERIOD_MS = 5_000;
export const DEFAULT_TASK_HISTORY_LIMIT = 5;

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
      labels: {},
      orchestration: {
        taskHistoryRetentionLimit: spec.taskHistoryRetentionLimit ?? DEFAULT_TASK_HISTORY_LIMIT,
      },
      raft: {
        snapshotInterval: 10_000,
        keepOldSnapshots: 0,
        logEntriesForSlowFollowers: 500,
        electionTick: 10,
        heartbeatTick: 1,
      },
      dispatcher: { heartbeatPeriod: spec.heartbeatPeriodMs ?? DEFAULT_HEARTBEAT_PERIOD_MS },
      caConfig: {
        nodeCertExpiry: spec.nodeCertExpiryMs ?? DEFAULT_NODE_CERT_EXPIRY_MS,
        externalCAs: [],
        forceRotate: 0,
      },
      encryptionConfig: { autoLockManagers: unlockKey !== undefined },
    },
    rootCA: {
      caCert: ca.certPem,
      caKey: ca.keyPem ?? '',
      caCertDigest: ca.digest,
      joinTokens: generateJoinTokens(ca.digest),
    },
    defaultAddrPool: ['10.0.0.0/8'],
    subnetSize: 24,
    dataPathPort: 4789,
    unlockKeys: unlockKey === undefined ? [] : [{ subsystem: MANAGER_UNLOCK_SUBSYSTEM, key: unlockKey }],
    removedNodes: [],
  };
}

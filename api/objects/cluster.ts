// The cluster object: swarm-wide settings (spec) plus what the managers generated at init:
// the root CA, join tokens and address pools (Docker's Swarm / ClusterInfo, swarmkit's Cluster).

import type { Driver, Labels, StoredObjectBase } from './common.js';

export interface OrchestrationConfig {
  /** How many finished tasks to keep per slot (or per node for global services). Docker: 5. */
  taskHistoryRetentionLimit: number;
}

/** The Raft settings of the swarm spec (Docker's SwarmSpec.Raft); the Raft node's own config is manager/raft's RaftConfig. */
export interface ClusterRaftConfig {
  /** Log entries between two snapshots. */
  snapshotInterval: number;
  keepOldSnapshots: number;
  /** Entries kept after a snapshot so slow followers can catch up without one. */
  logEntriesForSlowFollowers: number;
  electionTick: number;
  heartbeatTick: number;
}

export interface DispatcherConfig {
  /** Interval at which agents send heartbeats, in milliseconds. Docker: 5 s. */
  heartbeatPeriod: number;
  /** The period in nanoseconds as given, when not a whole number of milliseconds. */
  heartbeatPeriodNs?: number;
}

export interface ExternalCA {
  protocol: 'cfssl';
  url: string;
  options: Record<string, string>;
  caCert: string;
}

export interface CAConfig {
  /** Validity of issued node certificates, in milliseconds. Docker: 90 days. */
  nodeCertExpiry: number;
  /** The validity in nanoseconds as given, when not a whole number of milliseconds. */
  nodeCertExpiryNs?: number;
  externalCAs: ExternalCA[];
  /** Bumped to force every node certificate to be rotated. */
  forceRotate: number;
}

export interface EncryptionConfig {
  autoLockManagers: boolean;
}

/** Defaults for the tasks of every service (Docker's TaskDefaults). */
export interface TaskDefaults {
  /** The log driver of a task whose service names none (stamped on the task at creation). */
  logDriver?: Driver;
}

export interface ClusterSpec {
  name: string;
  labels: Labels;
  orchestration: OrchestrationConfig;
  raft: ClusterRaftConfig;
  dispatcher: DispatcherConfig;
  caConfig: CAConfig;
  encryptionConfig: EncryptionConfig;
  taskDefaults?: TaskDefaults;
}

export interface JoinTokens {
  /** SWMTKN-1-<CA digest>-<secret> tokens; rotating one replaces it. */
  worker: string;
  manager: string;
}

/** The root CA as the cluster object records it (the signer itself is ca/root-ca.ts's RootCA). */
export interface ClusterRootCA {
  /** PEM of the root CA certificate. */
  caCert: string;
  /** Private key of the root CA, PEM (absent when an external CA signs). */
  caKey?: string;
  /** "sha256:<hex>" digest of the CA certificate, as pinned by joining nodes. */
  caCertDigest: string;
  joinTokens: JoinTokens;
  /** Present while the root CA is being rotated. */
  rootRotation?: { caCert: string; caKey: string; crossSignedCACert: string };
}

export interface Cluster extends StoredObjectBase {
  spec: ClusterSpec;
  rootCA: ClusterRootCA;
  /** Pools overlay subnets are carved from (Docker: ["10.0.0.0/8"]). */
  defaultAddrPool: string[];
  /** Prefix length of each overlay subnet carved from the pool (Docker: 24). */
  subnetSize: number;
  /** UDP port of the VXLAN data path (Docker: 4789). */
  dataPathPort: number;
  /** Keys used to encrypt the Raft log and manager state at rest, when autolock is on. */
  unlockKeys: { subsystem: string; key: string }[];
  /**
   * Nodes removed from the swarm: their certificates are no longer honoured. An entry is kept
   * until every certificate the node may hold has expired (manager/ca/removed-nodes.ts).
   */
  removedNodes?: RemovedNode[];
}

/** A node removed from the swarm (swarmkit's RemovedNode). */
export interface RemovedNode {
  id: string;
  /** When it was removed (ms since the epoch). */
  removedAt: number;
  /** When the last certificate it may hold expires (ms since the epoch): the entry goes then. */
  expiresAt: number;
}

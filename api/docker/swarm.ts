// Docker's swarm-level request bodies: Spec (POST /swarm/update), InitRequest, JoinRequest,
// UnlockRequest.

import { Type, type Static } from '@sinclair/typebox';
import {
  Bool,
  DriverSchema,
  Duration,
  Int64,
  Str,
  StringMap,
  StrList,
  Struct,
  Uint,
  Uint32,
} from './common.js';

export const ExternalCASchema = Struct('swarm.ExternalCA', {
  Protocol: Str,
  URL: Str,
  Options: StringMap,
  CACert: Str,
});

export const SwarmSpecSchema = Struct('swarm.Spec', {
  Name: Str,
  Labels: StringMap,
  Orchestration: Struct('swarm.OrchestrationConfig', { TaskHistoryRetentionLimit: Int64 }),
  Raft: Struct('swarm.RaftConfig', {
    SnapshotInterval: Uint,
    KeepOldSnapshots: Uint,
    LogEntriesForSlowFollowers: Uint,
    ElectionTick: Int64,
    HeartbeatTick: Int64,
  }),
  Dispatcher: Struct('swarm.DispatcherConfig', { HeartbeatPeriod: Duration }),
  CAConfig: Struct('swarm.CAConfig', {
    NodeCertExpiry: Duration,
    ExternalCAs: Type.Array(ExternalCASchema),
    SigningCACert: Str,
    SigningCAKey: Str,
    ForceRotate: Uint,
  }),
  TaskDefaults: Struct('swarm.TaskDefaults', { LogDriver: DriverSchema }),
  EncryptionConfig: Struct('swarm.EncryptionConfig', { AutoLockManagers: Bool }),
});

export const InitRequestSchema = Struct('swarm.InitRequest', {
  ListenAddr: Str,
  AdvertiseAddr: Str,
  DataPathAddr: Str,
  DataPathPort: Uint32,
  ForceNewCluster: Bool,
  Spec: SwarmSpecSchema,
  AutoLockManagers: Bool,
  Availability: Str,
  DefaultAddrPool: StrList,
  SubnetSize: Uint32,
});

export const JoinRequestSchema = Struct('swarm.JoinRequest', {
  ListenAddr: Str,
  AdvertiseAddr: Str,
  DataPathAddr: Str,
  RemoteAddrs: StrList,
  JoinToken: Str,
  Availability: Str,
});

export const UnlockRequestSchema = Struct('swarm.UnlockRequest', { UnlockKey: Str });

export type DockerSwarmSpec = Static<typeof SwarmSpecSchema>;
export type DockerInitRequest = Static<typeof InitRequestSchema>;
export type DockerJoinRequest = Static<typeof JoinRequestSchema>;

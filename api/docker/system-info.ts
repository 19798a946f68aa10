// Docker's answer to GET /info: the engine's facts and its Swarm section (this node's state
// and, on a manager, the cluster). Only the fields shoal's CLI reads or shoal always sends are
// named; an engine sends many more, which a schema object allows.

import { Type, type Static } from '@sinclair/typebox';
import { Opt } from './common.js';
import { ClusterInfoSchema } from './cluster.js';

export const LocalNodeStateSchema = Type.Union([
  Type.Literal(''),
  Type.Literal('inactive'),
  Type.Literal('pending'),
  Type.Literal('active'),
  Type.Literal('error'),
  Type.Literal('locked'),
]);

export const PeerNodeSchema = Type.Object({ NodeID: Type.String(), Addr: Type.String() });

/** The Cluster dockerd sends a manager that cannot read the cluster (or has none yet): `{}`. */
export const NoClusterInfoSchema = Type.Record(Type.String(), Type.Never());

export const SwarmInfoSchema = Type.Object({
  NodeID: Type.String(),
  NodeAddr: Type.String(),
  LocalNodeState: LocalNodeStateSchema,
  ControlAvailable: Type.Boolean(),
  Error: Type.String(),
  RemoteManagers: Type.Union([Type.Array(PeerNodeSchema), Type.Null()]),
  Nodes: Opt(Type.Integer()),
  Managers: Opt(Type.Integer()),
  Cluster: Opt(Type.Union([ClusterInfoSchema, NoClusterInfoSchema])),
});

export const SystemInfoSchema = Type.Object({
  ID: Opt(Type.String()),
  Containers: Opt(Type.Integer()),
  ContainersRunning: Opt(Type.Integer()),
  ContainersPaused: Opt(Type.Integer()),
  ContainersStopped: Opt(Type.Integer()),
  Images: Opt(Type.Integer()),
  Driver: Opt(Type.String()),
  LoggingDriver: Opt(Type.String()),
  CgroupDriver: Opt(Type.String()),
  CgroupVersion: Opt(Type.String()),
  KernelVersion: Opt(Type.String()),
  OperatingSystem: Opt(Type.String()),
  OSType: Opt(Type.String()),
  Architecture: Opt(Type.String()),
  NCPU: Opt(Type.Integer()),
  MemTotal: Opt(Type.Integer()),
  DockerRootDir: Opt(Type.String()),
  Name: Opt(Type.String()),
  ServerVersion: Opt(Type.String()),
  Labels: Opt(Type.Array(Type.String())),
  Debug: Opt(Type.Boolean()),
  Swarm: SwarmInfoSchema,
  Warnings: Opt(Type.Union([Type.Array(Type.String()), Type.Null()])),
});

export type DockerLocalNodeState = Static<typeof LocalNodeStateSchema>;
export type DockerSwarmInfo = Static<typeof SwarmInfoSchema>;
export type DockerSystemInfo = Static<typeof SystemInfoSchema>;

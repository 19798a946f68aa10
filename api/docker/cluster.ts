// Docker's view of the cluster object: ClusterInfo (the Cluster section of GET /info) and Swarm
// (GET /swarm: the same plus the join tokens, for managers only).

import { Type, type Static } from '@sinclair/typebox';
import { Opt } from './common.js';
import { MetaFields, ObjectVersionSchema } from './object-meta.js';
import { SwarmSpecSchema } from './swarm.js';
import { TLSInfoSchema } from './tls-info.js';

/** What ClusterInfo and Swarm have in common besides the meta fields. */
const ClusterFields = {
  ID: Type.String(),
  Spec: SwarmSpecSchema,
  TLSInfo: Opt(TLSInfoSchema),
  RootRotationInProgress: Opt(Type.Boolean()),
  DataPathPort: Opt(Type.Integer()),
  SubnetSize: Opt(Type.Integer()),
};

export const ClusterInfoSchema = Type.Object({
  ...ClusterFields,
  Version: Opt(ObjectVersionSchema),
  CreatedAt: Opt(Type.String()),
  UpdatedAt: Opt(Type.String()),
  DefaultAddrPool: Opt(Type.Union([Type.Array(Type.String()), Type.Null()])),
});

export const JoinTokensSchema = Type.Object({ Worker: Type.String(), Manager: Type.String() });

export const SwarmSchema = Type.Object({
  ...ClusterFields,
  ...MetaFields,
  DefaultAddrPool: Opt(Type.Array(Type.String())),
  JoinTokens: JoinTokensSchema,
});

/** GET /swarm/unlockkey: the key that unlocks a locked manager (empty when autolock is off). */
export const UnlockKeyResponseSchema = Type.Object({ UnlockKey: Type.String() });

export type DockerClusterInfo = Static<typeof ClusterInfoSchema>;
export type DockerSwarm = Static<typeof SwarmSchema>;
export type DockerUnlockKeyResponse = Static<typeof UnlockKeyResponseSchema>;

// Docker's Node object (GET /nodes, /nodes/{id}): the node's spec, what it reported of itself
// (Description), its state, and for a manager its place in the Raft group.

import { Type, type Static } from '@sinclair/typebox';
import { Opt } from './common.js';
import { NodeSpecSchema } from './node-spec.js';
import { MetaFields } from './object-meta.js';
import { TLSInfoSchema } from './tls-info.js';

/** Docker's values for NodeSpec's Role and Availability (the request schema takes any string). */
export const NodeRoleSchema = Type.Union([Type.Literal('worker'), Type.Literal('manager')]);
export const NodeAvailabilitySchema = Type.Union([
  Type.Literal('active'),
  Type.Literal('pause'),
  Type.Literal('drain'),
]);

export const NodeStateSchema = Type.Union([
  Type.Literal('unknown'),
  Type.Literal('down'),
  Type.Literal('ready'),
  Type.Literal('disconnected'),
]);
export const ReachabilitySchema = Type.Union([
  Type.Literal('unknown'),
  Type.Literal('unreachable'),
  Type.Literal('reachable'),
]);

export const NodeDescriptionSchema = Type.Object({
  Hostname: Opt(Type.String()),
  Platform: Opt(Type.Object({ Architecture: Opt(Type.String()), OS: Opt(Type.String()) })),
  Resources: Opt(Type.Object({ NanoCPUs: Opt(Type.Integer()), MemoryBytes: Opt(Type.Integer()) })),
  Engine: Opt(
    Type.Object({
      EngineVersion: Opt(Type.String()),
      Labels: Opt(Type.Record(Type.String(), Type.String())),
      Plugins: Opt(Type.Array(Type.Object({ Type: Type.String(), Name: Type.String() }))),
    }),
  ),
  TLSInfo: Opt(TLSInfoSchema),
});

export const NodeSchema = Type.Object({
  ID: Type.String(),
  ...MetaFields,
  Spec: NodeSpecSchema,
  Description: Opt(NodeDescriptionSchema),
  Status: Type.Object({ State: NodeStateSchema, Message: Opt(Type.String()), Addr: Opt(Type.String()) }),
  ManagerStatus: Opt(
    Type.Object({ Leader: Opt(Type.Boolean()), Reachability: ReachabilitySchema, Addr: Type.String() }),
  ),
});

export type DockerNode = Static<typeof NodeSchema>;
export type DockerNodeDescription = Static<typeof NodeDescriptionSchema>;
export type DockerNodeRole = Static<typeof NodeRoleSchema>;
export type DockerNodeAvailability = Static<typeof NodeAvailabilitySchema>;

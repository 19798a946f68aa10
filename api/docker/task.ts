// Docker's Task object (GET /tasks, /tasks/{id}): one scheduled instance of a service, its
// spec, where it runs, the state the orchestrator wants and the state it has reached.

import { Type, type Static } from '@sinclair/typebox';
import { Opt } from './common.js';
import { MetaFields, ObjectVersionSchema } from './object-meta.js';
import { PortConfigSchema, TaskSpecSchema } from './service-spec.js';

export const TaskStateSchema = Type.Union([
  Type.Literal('new'),
  Type.Literal('allocated'),
  Type.Literal('pending'),
  Type.Literal('assigned'),
  Type.Literal('accepted'),
  Type.Literal('preparing'),
  Type.Literal('ready'),
  Type.Literal('starting'),
  Type.Literal('running'),
  Type.Literal('complete'),
  Type.Literal('shutdown'),
  Type.Literal('failed'),
  Type.Literal('rejected'),
  Type.Literal('remove'),
  Type.Literal('orphaned'),
]);

export const TaskStatusSchema = Type.Object({
  Timestamp: Type.String(),
  State: TaskStateSchema,
  Message: Opt(Type.String()),
  Err: Opt(Type.String()),
  ContainerStatus: Opt(
    Type.Object({
      ContainerID: Opt(Type.String()),
      PID: Opt(Type.Integer()),
      ExitCode: Opt(Type.Integer()),
    }),
  ),
  PortStatus: Opt(Type.Object({ Ports: Opt(Type.Array(PortConfigSchema)) })),
});

export const NetworkAttachmentSchema = Type.Object({
  Network: Type.Object({ ID: Type.String(), Spec: Opt(Type.Object({ Name: Type.String() })) }),
  Addresses: Type.Array(Type.String()),
});

export const TaskSchema = Type.Object({
  ID: Type.String(),
  ...MetaFields,
  Name: Opt(Type.String()),
  Labels: Opt(Type.Record(Type.String(), Type.String())),
  Spec: TaskSpecSchema,
  ServiceID: Type.String(),
  Slot: Opt(Type.Integer()),
  NodeID: Opt(Type.String()),
  Status: TaskStatusSchema,
  DesiredState: TaskStateSchema,
  NetworksAttachments: Opt(Type.Array(NetworkAttachmentSchema)),
  JobIteration: Opt(ObjectVersionSchema),
});

export type DockerTask = Static<typeof TaskSchema>;
export type DockerTaskState = Static<typeof TaskStateSchema>;
export type DockerTaskStatus = Static<typeof TaskStatusSchema>;

// Docker's Service object (GET /services, /services/{id}) and the answers of the service
// create and update calls. Response shapes: what the Engine API sends back, for the CLI that
// reads them and the server that builds them (type-level; responses are not validated).

import { Type, type Static } from '@sinclair/typebox';
import { Opt } from './common.js';
import { MetaFields, ObjectVersionSchema } from './object-meta.js';
import { EndpointSpecSchema, PortConfigSchema, ServiceSpecSchema } from './service-spec.js';

/** Docker's values for a spec's enumerated fields (the request schema takes any string). */
export const FailureActionSchema = Type.Union([
  Type.Literal('pause'),
  Type.Literal('continue'),
  Type.Literal('rollback'),
]);
export const UpdateOrderSchema = Type.Union([Type.Literal('stop-first'), Type.Literal('start-first')]);
export const PortProtocolSchema = Type.Union([
  Type.Literal('tcp'),
  Type.Literal('udp'),
  Type.Literal('sctp'),
]);
export const PublishModeSchema = Type.Union([Type.Literal('ingress'), Type.Literal('host')]);

export const UpdateStateSchema = Type.Union([
  Type.Literal('updating'),
  Type.Literal('paused'),
  Type.Literal('completed'),
  Type.Literal('rollback_started'),
  Type.Literal('rollback_paused'),
  Type.Literal('rollback_completed'),
]);

/** Present with `?status=true`: what `docker service ls` shows as REPLICAS. */
export const ServiceStatusSchema = Type.Object({
  RunningTasks: Type.Integer(),
  DesiredTasks: Type.Integer(),
  CompletedTasks: Type.Integer(),
});

export const ServiceSchema = Type.Object({
  ID: Type.String(),
  ...MetaFields,
  Spec: ServiceSpecSchema,
  PreviousSpec: Opt(ServiceSpecSchema),
  Endpoint: Opt(
    Type.Object({
      Spec: Opt(EndpointSpecSchema),
      Ports: Opt(Type.Array(PortConfigSchema)),
      VirtualIPs: Opt(Type.Array(Type.Object({ NetworkID: Type.String(), Addr: Type.String() }))),
    }),
  ),
  UpdateStatus: Opt(
    Type.Object({
      State: Opt(UpdateStateSchema),
      StartedAt: Opt(Type.String()),
      CompletedAt: Opt(Type.String()),
      Message: Opt(Type.String()),
    }),
  ),
  ServiceStatus: Opt(ServiceStatusSchema),
  JobStatus: Opt(Type.Object({ JobIteration: ObjectVersionSchema, LastExecution: Opt(Type.String()) })),
});

const Warnings = Opt(Type.Union([Type.Array(Type.String()), Type.Null()]));

export const ServiceCreateResponseSchema = Type.Object({
  ID: Type.String(),
  Warning: Opt(Type.String()),
  Warnings,
});

export const ServiceUpdateResponseSchema = Type.Object({ Warnings });

export type DockerService = Static<typeof ServiceSchema>;
export type DockerServiceStatus = Static<typeof ServiceStatusSchema>;
export type DockerUpdateState = Static<typeof UpdateStateSchema>;
export type DockerFailureAction = Static<typeof FailureActionSchema>;
export type DockerUpdateOrder = Static<typeof UpdateOrderSchema>;
export type DockerPortProtocol = Static<typeof PortProtocolSchema>;
export type DockerPublishMode = Static<typeof PublishModeSchema>;
export type DockerServiceCreateResponse = Static<typeof ServiceCreateResponseSchema>;
export type DockerServiceUpdateResponse = Static<typeof ServiceUpdateResponseSchema>;

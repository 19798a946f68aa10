// Every route of the HTTP API the fuzzer drives, with the schemas the server validates against
// (imported from api/docker, so a new field is fuzzed with no change here), a valid
// body to put hostile values into, and what its path parameter names.

import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { FuzzJson } from './fuzz-json.js';
import { ConfigSpecSchema } from '../../api/docker/config.js';
import { NetworkCreateSchema, NetworkInspectQuery } from '../../api/docker/network.js';
import { NodeSpecSchema } from '../../api/docker/node-spec.js';
import {
  EventsQuery,
  FiltersQuery,
  ForceQuery,
  InsertDefaultsQuery,
  LogsQuery,
  ServiceListQuery,
  ServiceUpdateQuery,
  SwarmUpdateQuery,
  VersionQuery,
} from '../../api/docker/query.js';
import { SecretSpecSchema } from '../../api/docker/secret.js';
import { ServiceSpecSchema } from '../../api/docker/service-spec.js';
import {
  InitRequestSchema,
  JoinRequestSchema,
  SwarmSpecSchema,
  UnlockRequestSchema,
} from '../../api/docker/swarm.js';

/** What a route's `:id` names: the driver fills in a live one, or a hostile one. */
export type ParamKind = 'service' | 'node' | 'network' | 'task' | 'secret' | 'config';

export interface FuzzRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path with `:id` where the route takes one. */
  readonly path: string;
  readonly param?: ParamKind;
  readonly query: TObject;
  readonly body?: TSchema;
  /** A body the route accepts, for hostile values to go into (`name`: a fresh object name). */
  readonly validBody?: (name: string) => FuzzJson;
  /** The kind of object whose live `Version.Index` the route's ?version= expects. */
  readonly versionOf?: 'service' | 'node' | 'swarm' | 'secret' | 'config';
  /** Answers as a stream (events, logs): only the status line is held to the time bound. */
  readonly streams?: boolean;
}

const NoQuery = Type.Object({});

export function validServiceSpec(name: string): FuzzJson {
  return {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: 'busybox:latest', Args: ['sleep', '1000'] } },
    Mode: { Replicated: { Replicas: 1 } },
  };
}

/** An update keeps the service's name (a body without one does) and its replicated mode. */
function validServiceUpdate(): FuzzJson {
  return {
    TaskTemplate: { ContainerSpec: { Image: 'busybox:latest', Args: ['sleep', '2000'] } },
    Mode: { Replicated: { Replicas: 2 } },
  };
}

function validSwarmSpec(): FuzzJson {
  return {
    Name: 'default',
    Orchestration: { TaskHistoryRetentionLimit: 5 },
    Raft: { SnapshotInterval: 10000, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
    Dispatcher: { HeartbeatPeriod: 5_000_000_000 },
    CAConfig: { NodeCertExpiry: 7_776_000_000_000_000 },
  };
}

export const FUZZ_ROUTES: readonly FuzzRoute[] = [
  { method: 'GET', path: '/_ping', query: NoQuery },
  { method: 'GET', path: '/version', query: NoQuery },
  { method: 'GET', path: '/info', query: NoQuery },
  { method: 'GET', path: '/swarm', query: NoQuery },
  {
    method: 'POST',
    path: '/swarm/init',
    query: NoQuery,
    body: InitRequestSchema,
    validBody: () => ({ ListenAddr: '0.0.0.0:2377', AdvertiseAddr: '127.0.0.1', Spec: validSwarmSpec() }),
  },
  {
    method: 'POST',
    path: '/swarm/join',
    query: NoQuery,
    body: JoinRequestSchema,
    validBody: () => ({
      ListenAddr: '0.0.0.0:2377',
      RemoteAddrs: ['127.0.0.1:2377'],
      JoinToken: 'SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx',
    }),
  },
  { method: 'POST', path: '/swarm/leave', query: ForceQuery },
  {
    method: 'POST',
    path: '/swarm/update',
    query: SwarmUpdateQuery,
    body: SwarmSpecSchema,
    validBody: validSwarmSpec,
    versionOf: 'swarm',
  },
  { method: 'GET', path: '/swarm/unlockkey', query: NoQuery },
  {
    method: 'POST',
    path: '/swarm/unlock',
    query: NoQuery,
    body: UnlockRequestSchema,
    validBody: () => ({ UnlockKey: 'SWMKEY-1-x' }),
  },
  { method: 'GET', path: '/nodes', query: FiltersQuery },
  { method: 'GET', path: '/nodes/:id', param: 'node', query: NoQuery },
  { method: 'DELETE', path: '/nodes/:id', param: 'node', query: ForceQuery },
  {
    method: 'POST',
    path: '/nodes/:id/update',
    param: 'node',
    query: VersionQuery,
    body: NodeSpecSchema,
    validBody: () => ({ Role: 'manager', Availability: 'active', Labels: { zone: 'a' } }),
    versionOf: 'node',
  },
  { method: 'GET', path: '/services', query: ServiceListQuery },
  {
    method: 'POST',
    path: '/services/create',
    query: NoQuery,
    body: ServiceSpecSchema,
    validBody: validServiceSpec,
  },
  { method: 'GET', path: '/services/:id', param: 'service', query: InsertDefaultsQuery },
  { method: 'DELETE', path: '/services/:id', param: 'service', query: NoQuery },
  {
    method: 'POST',
    path: '/services/:id/update',
    param: 'service',
    query: ServiceUpdateQuery,
    body: ServiceSpecSchema,
    validBody: validServiceUpdate,
    versionOf: 'service',
  },
  { method: 'GET', path: '/services/:id/logs', param: 'service', query: LogsQuery, streams: true },
  { method: 'GET', path: '/tasks', query: FiltersQuery },
  { method: 'GET', path: '/tasks/:id', param: 'task', query: NoQuery },
  { method: 'GET', path: '/tasks/:id/logs', param: 'task', query: LogsQuery, streams: true },
  { method: 'GET', path: '/events', query: EventsQuery, streams: true },
  { method: 'GET', path: '/networks', query: FiltersQuery },
  { method: 'GET', path: '/networks/:id', param: 'network', query: NetworkInspectQuery },
  {
    method: 'POST',
    path: '/networks/create',
    query: NoQuery,
    body: NetworkCreateSchema,
    validBody: (name) => ({ Name: name, Driver: 'overlay', Labels: { a: 'b' } }),
  },
  { method: 'DELETE', path: '/networks/:id', param: 'network', query: NoQuery },
  { method: 'POST', path: '/networks/prune', query: FiltersQuery },
  ...blobRoutes('secret', SecretSpecSchema),
  ...blobRoutes('config', ConfigSpecSchema),
];

/** /secrets and /configs: the same five routes, with a body that holds some data. */
function blobRoutes(kind: 'secret' | 'config', spec: TSchema): FuzzRoute[] {
  const base = `/${kind}s`;
  return [
    { method: 'GET', path: base, query: FiltersQuery },
    { method: 'GET', path: `${base}/:id`, param: kind, query: NoQuery },
    {
      method: 'POST',
      path: `${base}/create`,
      query: NoQuery,
      body: spec,
      validBody: (name) => ({ Name: name, Labels: { a: 'b' }, Data: 'c2VjcmV0' }),
    },
    {
      method: 'POST',
      path: `${base}/:id/update`,
      param: kind,
      query: VersionQuery,
      body: spec,
      validBody: () => ({ Labels: { a: 'c' } }),
      versionOf: kind,
    },
    { method: 'DELETE', path: `${base}/:id`, param: kind, query: NoQuery },
  ];
}

// /swarm: inspect (with join tokens), init, join, leave, update (spec, token rotation),
// unlock key. The rules are the control layer's (controlapi/swarm-rules.ts for the cluster
// spec, membership-rules.ts for init, join, leave and unlock); the daemon carries them out.

import type { FastifyInstance } from 'fastify';
import { generateUnlockKey } from '../../../api/unlock-key.js';
import {
  applyDecision,
  checkInitRequest,
  checkJoinRequest,
  checkRemoteAddrs,
  checkUnlock,
  currentCluster,
  joinAvailability,
  planRootRotation,
  updateSwarm,
} from '../../controlapi/index.js';
import { rootCAAfter } from '../../ca/root-rotation.js';
import { notFound } from '../errors.js';
import type { RouteContext } from '../context.js';
import { forwardable } from './forwardable.js';
import { managerStore } from '../manager-store.js';
import { boolValue, objectVersion, strictBool } from '../query-values.js';
import {
  InitRequestSchema,
  JoinRequestSchema,
  SwarmSpecSchema,
  UnlockRequestSchema,
  type DockerInitRequest,
  type DockerJoinRequest,
  type DockerSwarmSpec,
} from '../../../api/docker/swarm.js';
import { ForceQuery, SwarmUpdateQuery } from '../../../api/docker/query.js';
import type { InitRequest, JoinRequest } from '../swarm-control.js';
import { swarmFromStore, swarmSpecToStore, taskDefaultsToStore } from '../translate/cluster.js';
import { durationToStore } from '../translate/duration.js';
import type { Static } from '@sinclair/typebox';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Raft settings given at init; a zero takes swarmkit's default (KeepOldSnapshots: 0 is one). */
function initRaft(
  r: NonNullable<DockerInitRequest['Spec']>['Raft'],
): NonNullable<InitRequest['spec']>['raft'] {
  if (r === undefined) return undefined;
  const out: Writable<NonNullable<NonNullable<InitRequest['spec']>['raft']>> = {};
  if ((r.SnapshotInterval ?? 0) !== 0) out.snapshotInterval = r.SnapshotInterval!;
  if (r.KeepOldSnapshots !== undefined) out.keepOldSnapshots = r.KeepOldSnapshots;
  if ((r.LogEntriesForSlowFollowers ?? 0) !== 0)
    out.logEntriesForSlowFollowers = r.LogEntriesForSlowFollowers!;
  if ((r.ElectionTick ?? 0) !== 0) out.electionTick = r.ElectionTick!;
  if ((r.HeartbeatTick ?? 0) !== 0) out.heartbeatTick = r.HeartbeatTick!;
  return out;
}

export function initRequestFromDocker(b: DockerInitRequest): InitRequest {
  const spec: Writable<NonNullable<InitRequest['spec']>> = {};
  if (b.Spec?.Name !== undefined && b.Spec.Name !== '') spec.name = b.Spec.Name;
  if (b.Spec?.Labels !== undefined) spec.labels = { ...b.Spec.Labels };
  const history = b.Spec?.Orchestration?.TaskHistoryRetentionLimit;
  if (history !== undefined) spec.taskHistoryRetentionLimit = history;
  const raft = initRaft(b.Spec?.Raft);
  if (raft !== undefined) spec.raft = raft;
  const heartbeat = b.Spec?.Dispatcher?.HeartbeatPeriod;
  if (heartbeat !== undefined && heartbeat !== 0) {
    const d = durationToStore(heartbeat);
    spec.heartbeatPeriodMs = d.ms;
    if (d.ns !== undefined) spec.heartbeatPeriodNs = d.ns;
  }
  const expiry = b.Spec?.CAConfig?.NodeCertExpiry;
  if (expiry !== undefined && expiry !== 0) {
    const d = durationToStore(expiry);
    spec.nodeCertExpiryMs = d.ms;
    if (d.ns !== undefined) spec.nodeCertExpiryNs = d.ns;
  }
  if (b.Spec?.CAConfig?.ForceRotate !== undefined) spec.forceRotate = b.Spec.CAConfig.ForceRotate;
  if (b.DefaultAddrPool !== undefined && b.DefaultAddrPool.length > 0)
    spec.defaultAddrPool = [...b.DefaultAddrPool];
  if (b.SubnetSize !== undefined && b.SubnetSize !== 0) spec.subnetSize = b.SubnetSize;
  // 0 is Docker's default port; the range is the control layer's.
  if (b.DataPathPort !== undefined && b.DataPathPort !== 0) spec.dataPathPort = b.DataPathPort;
  const taskDefaults = taskDefaultsToStore(b.Spec?.TaskDefaults);
  if (taskDefaults !== undefined) spec.taskDefaults = taskDefaults;
  joinAvailability(b.Availability);
  const req: InitRequest = {
    listenAddr: b.ListenAddr === undefined || b.ListenAddr === '' ? '0.0.0.0:2377' : b.ListenAddr,
    ...(b.AdvertiseAddr === undefined || b.AdvertiseAddr === '' ? {} : { advertiseAddr: b.AdvertiseAddr }),
    ...(b.DataPathAddr === undefined || b.DataPathAddr === '' ? {} : { dataPathAddr: b.DataPathAddr }),
    forceNewCluster: b.ForceNewCluster ?? false,
    ...(Object.keys(spec).length === 0 ? {} : { spec }),
    autoLockManagers: b.AutoLockManagers ?? b.Spec?.EncryptionConfig?.AutoLockManagers ?? false,
  };
  checkInitRequest(req);
  return req;
}

export function joinRequestFromDocker(b: DockerJoinRequest): JoinRequest {
  const remote = b.RemoteAddrs ?? [];
  checkRemoteAddrs(remote);
  const avail = joinAvailability(b.Availability);
  const req: JoinRequest = {
    listenAddr: b.ListenAddr === undefined || b.ListenAddr === '' ? '0.0.0.0:2377' : b.ListenAddr,
    ...(b.AdvertiseAddr === undefined || b.AdvertiseAddr === '' ? {} : { advertiseAddr: b.AdvertiseAddr }),
    ...(b.DataPathAddr === undefined || b.DataPathAddr === '' ? {} : { dataPathAddr: b.DataPathAddr }),
    remoteAddrs: [...remote],
    joinToken: b.JoinToken ?? '',
    ...(avail === undefined ? {} : { availability: avail }),
  };
  checkJoinRequest(req);
  return req;
}

export function registerSwarmRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { control } = ctx;

  app.get('/swarm', (_request, reply) => {
    const store = managerStore(control);
    return reply.send(swarmFromStore(store.view(currentCluster)));
  });

  app.post<{ Body: DockerInitRequest }>(
    '/swarm/init',
    { schema: { body: InitRequestSchema } },
    async (request, reply) => {
      const nodeId = await control.init(initRequestFromDocker(request.body));
      return reply.type('application/json').send(`${JSON.stringify(nodeId)}\n`);
    },
  );

  app.post<{ Body: DockerJoinRequest }>(
    '/swarm/join',
    { schema: { body: JoinRequestSchema } },
    async (request, reply) => {
      await control.join(joinRequestFromDocker(request.body));
      return reply.code(200).send();
    },
  );

  app.post<{ Querystring: Static<typeof ForceQuery> }>(
    '/swarm/leave',
    { schema: { querystring: ForceQuery } },
    async (request, reply) => {
      await control.leave(boolValue(request.query.force));
      return reply.code(200).send();
    },
  );

  app.post<{ Body: DockerSwarmSpec; Querystring: Static<typeof SwarmUpdateQuery> }>(
    '/swarm/update',
    { schema: { body: SwarmSpecSchema, querystring: SwarmUpdateQuery } },
    forwardable(control, async (request, reply) => {
      const q = request.query;
      const version = objectVersion(q.version, 'swarm');
      const rotateWorker = strictBool(q.rotateWorkerToken, 'rotateWorkerToken');
      const rotateManager = strictBool(q.rotateManagerToken, 'rotateManagerToken');
      const rotateManagerUnlockKey = strictBool(q.rotateManagerUnlockKey, 'rotateManagerUnlockKey');
      const store = managerStore(control);
      // Drawn here, not in the rule: what is proposed must be decided before it is replicated.
      const freshUnlockKey = generateUnlockKey();
      // Docker's spec is merged onto the current one (fields it leaves out keep their value).
      const current = store.view(currentCluster);
      const spec = swarmSpecToStore(request.body, current.spec);
      const ca = request.body.CAConfig;
      const plan = planRootRotation(current, {
        spec,
        ...(ca?.SigningCACert === undefined ? {} : { signingCACert: ca.SigningCACert }),
        ...(ca?.SigningCAKey === undefined ? {} : { signingCAKey: ca.SigningCAKey }),
        now: new Date(),
      });
      const next = await rootCAAfter(current.rootCA, plan);
      const rootCA = next === undefined ? {} : { rootCA: { next, basedOn: current.rootCA } };
      await store.update((tx) => {
        applyDecision(
          tx,
          updateSwarm(tx, {
            version,
            spec: swarmSpecToStore(request.body, currentCluster(tx).spec),
            rotateManagerUnlockKey,
            freshUnlockKey,
            ...rootCA,
          }),
        );
      });
      if (rotateWorker) await control.rotateJoinToken('worker');
      if (rotateManager) await control.rotateJoinToken('manager');
      return reply.code(200).send();
    }),
  );

  app.get('/swarm/unlockkey', (_request, reply) => {
    managerStore(control);
    const key = control.unlockKey();
    if (key === '') throw notFound('no unlock key is set');
    return reply.send({ UnlockKey: key });
  });

  app.post<{ Body: Static<typeof UnlockRequestSchema> }>(
    '/swarm/unlock',
    { schema: { body: UnlockRequestSchema } },
    async (request, reply) => {
      const key = checkUnlock(control.localNodeState(), request.body.UnlockKey ?? '');
      await control.unlock(key);
      return reply.code(200).send();
    },
  );
}

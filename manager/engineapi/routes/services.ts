// /services: list (filters, status), create, inspect (insertDefaults), update (?version=,
// rollback), remove. Writes are decided by the control layer (controlapi/service-rules.ts).

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import dockerNames from 'docker-names';
import {
  applyDecision,
  checkUpdateQuery,
  createService,
  removeService,
  updateService,
} from '../../controlapi/index.js';
import { generateId, type Service } from '../../store/index.js';
import { requestedVersion, versionAtLeast } from '../api-version.js';
import type { RouteContext } from '../context.js';
import { matchesLabels, matchesPrefix, parseFilters, matchesExact, type Filters } from '../filters.js';
import { managerStore } from '../manager-store.js';
import { objectVersion, strictBool } from '../query-values.js';
import { resolveNetworkId, resolveService } from '../resolve.js';
import {
  IdParams,
  InsertDefaultsQuery,
  ServiceListQuery,
  ServiceUpdateQuery,
} from '../../../api/docker/query.js';
import { ServiceSpecSchema, type DockerServiceSpec } from '../../../api/docker/service-spec.js';
import { serviceStatus } from '../service-status.js';
import { serviceForVersion, serviceSpecForVersion } from '../translate/api-version-spec.js';
import { insertServiceDefaults } from '../translate/defaults.js';
import { serviceFromStore } from '../translate/service.js';
import { serviceSpecToStore } from '../translate/service-spec.js';
import { forwardable } from './forwardable.js';

const SERVICE_FILTERS = ['id', 'label', 'mode', 'name', 'runtime'];

const MODE_NAMES = {
  replicated: 'replicated',
  global: 'global',
  replicatedJob: 'replicated-job',
  globalJob: 'global-job',
} as const;

export function serviceMatches(s: Service, filters: Filters): boolean {
  return (
    matchesPrefix(filters, 'id', [s.id]) &&
    matchesPrefix(filters, 'name', [s.spec.name], true) &&
    matchesLabels(filters, 'label', s.spec.labels) &&
    matchesExact(filters, 'mode', MODE_NAMES[s.spec.mode.kind]) &&
    matchesExact(filters, 'runtime', 'container')
  );
}

export function registerServiceRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { control } = ctx;

  app.get<{ Querystring: Static<typeof ServiceListQuery> }>(
    '/services',
    { schema: { querystring: ServiceListQuery } },
    (request, reply) => {
      const filters = parseFilters(request.query.filters, SERVICE_FILTERS);
      const status = versionAtLeast(request.raw, '1.41') && strictBool(request.query.status, 'status');
      const store = managerStore(control);
      return reply.send(
        store.view((tx) =>
          tx
            .list('services')
            .filter((s) => serviceMatches(s, filters))
            .sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt))
            .map((s) =>
              serviceForVersion(
                requestedVersion(request.raw),
                serviceFromStore(s, status ? serviceStatus(tx, s) : undefined),
              ),
            ),
        ),
      );
    },
  );

  app.post<{ Body: DockerServiceSpec }>(
    '/services/create',
    { schema: { body: ServiceSpecSchema } },
    forwardable(control, async (request, reply) => {
      const store = managerStore(control);
      const body = serviceSpecForVersion(requestedVersion(request.raw), request.body);
      const spec = serviceSpecToStore(body, dockerNames.getRandomName(false));
      const id = generateId();
      const now = ctx.clock().toISOString();
      await store.update((tx) => {
        applyDecision(tx, createService(tx, { id, spec, networkId: resolveNetworkId, now }));
      });
      // Docker's ServiceCreateResponse: Warnings has no omitempty, so it is null when none.
      return reply.code(201).send({ ID: id, Warnings: null });
    }),
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof InsertDefaultsQuery> }>(
    '/services/:id',
    { schema: { params: IdParams, querystring: InsertDefaultsQuery } },
    (request, reply) => {
      const insertDefaults = strictBool(request.query.insertDefaults, 'insertDefaults');
      const store = managerStore(control);
      const out = serviceFromStore(store.view((tx) => resolveService(tx, request.params.id)));
      if (insertDefaults) out.Spec = insertServiceDefaults(out.Spec);
      return reply.send(serviceForVersion(requestedVersion(request.raw), out));
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/services/:id',
    { schema: { params: IdParams } },
    forwardable(control, async (request, reply) => {
      const store = managerStore(control);
      await store.update((tx) => {
        applyDecision(tx, removeService(tx, resolveService(tx, request.params.id).id));
      });
      return reply.code(200).send();
    }),
  );

  app.post<{
    Params: Static<typeof IdParams>;
    Querystring: Static<typeof ServiceUpdateQuery>;
    Body: DockerServiceSpec;
  }>(
    '/services/:id/update',
    { schema: { params: IdParams, querystring: ServiceUpdateQuery, body: ServiceSpecSchema } },
    forwardable(control, async (request, reply) => {
      const q = request.query;
      const version = objectVersion(q.version, 'service');
      const rollback = q.rollback ?? '';
      const registryAuthFrom = q.registryAuthFrom ?? '';
      // Refused before anything else, also on a node that is no manager (as dockerd does).
      checkUpdateQuery(rollback, registryAuthFrom);
      const store = managerStore(control);
      const now = ctx.clock().toISOString();
      const body = serviceSpecForVersion(requestedVersion(request.raw), request.body);
      await store.update((tx) => {
        const current = resolveService(tx, request.params.id);
        const spec = serviceSpecToStore(body, current.spec.name);
        const networkId = resolveNetworkId;
        const req = { serviceId: current.id, version, spec, networkId, rollback, registryAuthFrom, now };
        applyDecision(tx, updateService(tx, req));
      });
      // Docker's ServiceUpdateResponse: Warnings is null when there is none.
      return reply.code(200).send({ Warnings: null });
    }),
  );
}

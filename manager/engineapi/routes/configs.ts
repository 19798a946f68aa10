// /configs: list (Docker's filters), inspect (with the data), create, update (labels only),
// remove. Writes are decided by the control layer (controlapi/config-rules.ts) and forwarded
// to the leader from a follower.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { applyDecision, createConfig, removeConfig, updateConfig } from '../../controlapi/index.js';
import { generateId } from '../../store/index.js';
import { FiltersQuery, IdParams, VersionQuery } from '../../../api/docker/query.js';
import { ConfigSpecSchema, type DockerConfigSpec } from '../../../api/docker/config.js';
import { BLOB_FILTERS, blobMatches } from '../blob-filters.js';
import type { RouteContext } from '../context.js';
import { parseFilters } from '../filters.js';
import { managerStore } from '../manager-store.js';
import { blobVersion } from '../query-values.js';
import { resolveConfig } from '../resolve.js';
import { configFromStore, configSpecToStore } from '../translate/config.js';
import { forwardable } from './forwardable.js';

export function registerConfigRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { control } = ctx;

  app.get<{ Querystring: Static<typeof FiltersQuery> }>(
    '/configs',
    { schema: { querystring: FiltersQuery } },
    (request, reply) => {
      const filters = parseFilters(request.query.filters, BLOB_FILTERS);
      const store = managerStore(control);
      return reply.send(
        store.view((tx) =>
          tx
            .list('configs')
            .filter((c) => blobMatches({ id: c.id, name: c.spec.name, labels: c.spec.labels }, filters))
            .sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt))
            .map(configFromStore),
        ),
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/configs/:id',
    { schema: { params: IdParams } },
    (request, reply) => {
      const store = managerStore(control);
      return reply.send(configFromStore(store.view((tx) => resolveConfig(tx, request.params.id))));
    },
  );

  app.post<{ Body: DockerConfigSpec }>(
    '/configs/create',
    { schema: { body: ConfigSpecSchema } },
    forwardable(control, async (request, reply) => {
      const store = managerStore(control);
      const spec = configSpecToStore(request.body);
      const id = generateId();
      await store.update((tx) => {
        applyDecision(tx, createConfig(tx, { id, spec }));
      });
      return reply.code(201).send({ ID: id });
    }),
  );

  app.post<{
    Params: Static<typeof IdParams>;
    Querystring: Static<typeof VersionQuery>;
    Body: DockerConfigSpec;
  }>(
    '/configs/:id/update',
    { schema: { params: IdParams, querystring: VersionQuery, body: ConfigSpecSchema } },
    forwardable(control, async (request, reply) => {
      const spec = configSpecToStore(request.body);
      const version = blobVersion(request.query.version, 'config');
      const store = managerStore(control);
      await store.update((tx) => {
        const configId = resolveConfig(tx, request.params.id).id;
        applyDecision(tx, updateConfig(tx, { configId, version, spec }));
      });
      return reply.code(200).send();
    }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/configs/:id',
    { schema: { params: IdParams } },
    forwardable(control, async (request, reply) => {
      const store = managerStore(control);
      await store.update((tx) => {
        applyDecision(tx, removeConfig(tx, resolveConfig(tx, request.params.id).id));
      });
      return reply.code(204).send();
    }),
  );
}

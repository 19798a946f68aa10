// /secrets: list (Docker's filters), inspect, create, update (labels only), remove. No answer
// ever carries a secret's data. Writes are decided by the control layer
// (controlapi/secret-rules.ts) and forwarded to the leader from a follower.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { applyDecision, createSecret, removeSecret, updateSecret } from '../../controlapi/index.js';
import { generateId } from '../../store/index.js';
import { FiltersQuery, IdParams, VersionQuery } from '../../../api/docker/query.js';
import { SecretSpecSchema, type DockerSecretSpec } from '../../../api/docker/secret.js';
import { BLOB_FILTERS, blobMatches } from '../blob-filters.js';
import type { RouteContext } from '../context.js';
import { parseFilters } from '../filters.js';
import { managerStore } from '../manager-store.js';
import { blobVersion } from '../query-values.js';
import { resolveSecret } from '../resolve.js';
import { secretFromStore, secretSpecToStore } from '../translate/secret.js';
import { forwardable } from './forwardable.js';

export function registerSecretRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { control } = ctx;

  app.get<{ Querystring: Static<typeof FiltersQuery> }>(
    '/secrets',
    { schema: { querystring: FiltersQuery } },
    (request, reply) => {
      const filters = parseFilters(request.query.filters, BLOB_FILTERS);
      const store = managerStore(control);
      return reply.send(
        store.view((tx) =>
          tx
            .list('secrets')
            .filter((s) => !s.internal)
            .filter((s) => blobMatches({ id: s.id, name: s.spec.name, labels: s.spec.labels }, filters))
            .sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt))
            .map(secretFromStore),
        ),
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/secrets/:id',
    { schema: { params: IdParams } },
    (request, reply) => {
      const store = managerStore(control);
      return reply.send(secretFromStore(store.view((tx) => resolveSecret(tx, request.params.id))));
    },
  );

  app.post<{ Body: DockerSecretSpec }>(
    '/secrets/create',
    { schema: { body: SecretSpecSchema } },
    forwardable(control, async (request, reply) => {
      const store = managerStore(control);
      const spec = secretSpecToStore(request.body);
      const id = generateId();
      await store.update((tx) => {
        applyDecision(tx, createSecret(tx, { id, spec }));
      });
      return reply.code(201).send({ ID: id });
    }),
  );

  app.post<{
    Params: Static<typeof IdParams>;
    Querystring: Static<typeof VersionQuery>;
    Body: DockerSecretSpec;
  }>(
    '/secrets/:id/update',
    { schema: { params: IdParams, querystring: VersionQuery, body: SecretSpecSchema } },
    forwardable(control, async (request, reply) => {
      const spec = secretSpecToStore(request.body);
      const version = blobVersion(request.query.version, 'secret');
      const store = managerStore(control);
      await store.update((tx) => {
        const secretId = resolveSecret(tx, request.params.id).id;
        applyDecision(tx, updateSecret(tx, { secretId, version, spec }));
      });
      return reply.code(200).send();
    }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/secrets/:id',
    { schema: { params: IdParams } },
    forwardable(control, async (request, reply) => {
      const store = managerStore(control);
      await store.update((tx) => {
        applyDecision(tx, removeSecret(tx, resolveSecret(tx, request.params.id).id));
      });
      return reply.code(204).send();
    }),
  );
}

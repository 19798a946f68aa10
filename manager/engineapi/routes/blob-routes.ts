// The routes Docker serves alike for secrets and configs: list (Docker's filters), inspect,
// create, update (labels only) and remove. Each kind says how its objects are found, translated
// and decided (routes/secrets.ts, routes/configs.ts); the control layer decides every write, and
// a follower forwards writes to the leader.

import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { applyDecision, type Decision } from '../../controlapi/index.js';
import { generateId, type Config, type ReadTx, type Secret } from '../../store/index.js';
import { FiltersQuery, IdParams, VersionQuery } from '../../../api/docker/query.js';
import { BLOB_FILTERS, blobMatches } from '../blob-filters.js';
import type { RouteContext } from '../context.js';
import { parseFilters } from '../filters.js';
import { managerStore } from '../manager-store.js';
import { blobVersion } from '../query-values.js';
import { forwardable } from './forwardable.js';

export interface BlobKind<O extends Secret | Config, Body, Out> {
  /** `secret` or `config`: the path is `/<kind>s`, and errors name the kind. */
  readonly kind: 'secret' | 'config';
  readonly bodySchema: TSchema;
  /** The objects `ls` may show, in any order. */
  listed(tx: ReadTx): readonly O[];
  resolve(tx: ReadTx, ref: string): O;
  specToStore(body: Body): O['spec'];
  fromStore(o: O): Out;
  create(tx: ReadTx, id: string, spec: O['spec']): Decision;
  update(tx: ReadTx, id: string, version: number, spec: O['spec']): Decision;
  remove(tx: ReadTx, id: string): Decision;
}

export function registerBlobRoutes<O extends Secret | Config, Body, Out>(
  app: FastifyInstance,
  ctx: RouteContext,
  k: BlobKind<O, Body, Out>,
): void {
  const { control } = ctx;
  const path = `/${k.kind}s`;
  // fastify types a generic route's body through a conditional it cannot resolve for a type
  // parameter; the body was validated against `k.bodySchema`, whose static type is Body.
  const bodyOf = (body: unknown): Body => body as Body;

  app.get<{ Querystring: Static<typeof FiltersQuery> }>(
    path,
    { schema: { querystring: FiltersQuery } },
    (request, reply) => {
      const filters = parseFilters(request.query.filters, BLOB_FILTERS);
      const store = managerStore(control);
      return reply.send(
        store.view((tx) =>
          k
            .listed(tx)
            .filter((o) => blobMatches({ id: o.id, name: o.spec.name, labels: o.spec.labels }, filters))
            .sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt))
            .map((o) => k.fromStore(o)),
        ),
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    `${path}/:id`,
    { schema: { params: IdParams } },
    (request, reply) => {
      const store = managerStore(control);
      return reply.send(k.fromStore(store.view((tx) => k.resolve(tx, request.params.id))));
    },
  );

  app.post<{ Body: Body }>(
    `${path}/create`,
    { schema: { body: k.bodySchema } },
    forwardable(control, async (request, reply) => {
      const store = managerStore(control);
      const spec = k.specToStore(bodyOf(request.body));
      const id = generateId();
      await store.update((tx) => {
        applyDecision(tx, k.create(tx, id, spec));
      });
      return reply.code(201).send({ ID: id });
    }),
  );

  app.post<{
    Params: Static<typeof IdParams>;
    Querystring: Static<typeof VersionQuery>;
    Body: Body;
  }>(
    `${path}/:id/update`,
    { schema: { params: IdParams, querystring: VersionQuery, body: k.bodySchema } },
    forwardable(control, async (request, reply) => {
      const spec = k.specToStore(bodyOf(request.body));
      const version = blobVersion(request.query.version, k.kind);
      const store = managerStore(control);
      await store.update((tx) => {
        applyDecision(tx, k.update(tx, k.resolve(tx, request.params.id).id, version, spec));
      });
      return reply.code(200).send();
    }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    `${path}/:id`,
    { schema: { params: IdParams } },
    forwardable(control, async (request, reply) => {
      const store = managerStore(control);
      await store.update((tx) => {
        applyDecision(tx, k.remove(tx, k.resolve(tx, request.params.id).id));
      });
      return reply.code(204).send();
    }),
  );
}

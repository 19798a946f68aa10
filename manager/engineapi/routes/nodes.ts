// /nodes: list with Docker's filters, inspect, update (spec with ?version=), remove. Writes are
// decided by the control layer (controlapi/node-rules.ts).

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { applyDecision, removeNode, updateNode } from '../../controlapi/index.js';
import type { Node } from '../../store/index.js';
import type { RouteContext } from '../context.js';
import { invalidParameter } from '../errors.js';
import { matchesLabels, matchesPrefix, parseFilters, filterValues, type Filters } from '../filters.js';
import { managerStore } from '../manager-store.js';
import { boolValue, objectVersion } from '../query-values.js';
import { resolveNode } from '../resolve.js';
import { NodeSpecSchema, type DockerNodeSpec } from '../../../api/docker/node-spec.js';
import { FiltersQuery, ForceQuery, IdParams, VersionQuery } from '../../../api/docker/query.js';
import { nodeFromStore, nodeSpecToStore } from '../translate/node.js';
import { forwardable } from './forwardable.js';

const NODE_FILTERS = ['id', 'label', 'name', 'node.label', 'membership', 'role'];

function checkNodeFilters(filters: Filters): void {
  for (const r of filterValues(filters, 'role')) {
    if (r !== '' && r.toLowerCase() !== 'worker' && r.toLowerCase() !== 'manager') {
      throw invalidParameter(`Invalid role filter value: ${r}`);
    }
  }
  for (const m of filterValues(filters, 'membership')) {
    if (m !== '' && m.toLowerCase() !== 'accepted' && m.toLowerCase() !== 'pending') {
      throw invalidParameter(`Invalid membership filter value: ${m}`);
    }
  }
}

/** Docker's node filters (label matches engine labels, node.label the node's own labels). */
export function nodeMatches(n: Node, filters: Filters): boolean {
  const names = [n.description?.hostname ?? '', ...(n.spec.name === undefined ? [] : [n.spec.name])];
  const roles = filterValues(filters, 'role')
    .filter((r) => r !== '')
    .map((r) => r.toLowerCase());
  const memberships = filterValues(filters, 'membership')
    .filter((m) => m !== '')
    .map((m) => m.toLowerCase());
  return (
    matchesPrefix(filters, 'id', [n.id]) &&
    matchesPrefix(filters, 'name', names) &&
    matchesLabels(filters, 'label', n.description?.engine.labels ?? {}) &&
    matchesLabels(filters, 'node.label', n.spec.labels) &&
    (roles.length === 0 || roles.includes(n.role)) &&
    (memberships.length === 0 || memberships.includes('accepted'))
  );
}

export function registerNodeRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { control } = ctx;

  app.get<{ Querystring: Static<typeof FiltersQuery> }>(
    '/nodes',
    { schema: { querystring: FiltersQuery } },
    (request, reply) => {
      const filters = parseFilters(request.query.filters, NODE_FILTERS);
      checkNodeFilters(filters);
      const store = managerStore(control);
      return reply.send(
        store.view((tx) =>
          tx
            .list('nodes')
            .filter((n) => nodeMatches(n, filters))
            .map((n) => nodeFromStore(n, control.leaderRaftId())),
        ),
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/nodes/:id',
    { schema: { params: IdParams } },
    (request, reply) => {
      const store = managerStore(control);
      const node = store.view((tx) => resolveNode(tx, request.params.id));
      return reply.send(nodeFromStore(node, control.leaderRaftId()));
    },
  );

  app.delete<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ForceQuery> }>(
    '/nodes/:id',
    { schema: { params: IdParams, querystring: ForceQuery } },
    // The node's record goes, and the cluster lists it as removed so its certificate is
    // refused from then on (controlapi's removeNode and applyDecision).
    forwardable(control, async (request, reply) => {
      const force = boolValue(request.query.force);
      const store = managerStore(control);
      await store.update((tx) => {
        const nodeId = resolveNode(tx, request.params.id).id;
        applyDecision(tx, removeNode(tx, { nodeId, force }));
      });
      return reply.code(200).send();
    }),
  );

  app.post<{
    Params: Static<typeof IdParams>;
    Querystring: Static<typeof VersionQuery>;
    Body: DockerNodeSpec;
  }>(
    '/nodes/:id/update',
    { schema: { params: IdParams, querystring: VersionQuery, body: NodeSpecSchema } },
    forwardable(control, async (request, reply) => {
      const version = objectVersion(request.query.version, 'node');
      const spec = nodeSpecToStore(request.body);
      const store = managerStore(control);
      await store.update((tx) => {
        const nodeId = resolveNode(tx, request.params.id).id;
        applyDecision(tx, updateNode(tx, { nodeId, version, spec }));
      });
      return reply.code(200).send();
    }),
  );
}

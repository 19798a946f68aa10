// /networks: list (Docker's filters), inspect, create, remove, prune. Every network here is a
// swarm-scoped overlay network kept in the store; the allocator gives it its subnet and VNI.
// Writes are decided by the control layer (controlapi/network-rules.ts).

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import {
  applyDecision,
  checkPruneRequest,
  createNetwork,
  PREDEFINED_NETWORKS,
  pruneNetworks,
  removeNetwork,
  writesOf,
} from '../../controlapi/index.js';
import { generateId, type Network, type ReadTx } from '../../store/index.js';
import type { RouteContext } from '../context.js';
import { invalidParameter, notFound } from '../errors.js';
import { filterPattern } from '../filter-pattern.js';
import { filterValues, matchesLabels, parseFilters, type Filters } from '../filters.js';
import { managerStore } from '../manager-store.js';
import { resolveNetworkId } from '../resolve.js';
import {
  NetworkCreateSchema,
  NetworkInspectQuery,
  type DockerNetworkCreate,
} from '../../../api/docker/network.js';
import { FiltersQuery, IdParams } from '../../../api/docker/query.js';
import { networkCreateRequest, networkFromStore } from '../translate/network.js';
import { localNetworkState } from '../translate/network-local.js';
import { forwardable } from './forwardable.js';
import { createsOnEngine, engineNetworks, swarmHasNetwork } from './engine-merge.js';
import { passToEngine } from '../engine-passthrough.js';
import { networkUser } from '../../allocator/network-users.js';

const NETWORK_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

/** Go's filters.Args.Match: the exact value, or a regular expression found in it. */
function goMatch(filters: Filters, name: string, value: string): boolean {
  const wanted = filterValues(filters, name);
  if (wanted.length === 0) return true;
  return wanted.some((w) => w === value || filterPattern(w)?.test(value) === true);
}

/** Refuses, before any network is matched, a filter pattern too complex to run. */
function checkPatterns(filters: Filters): void {
  for (const name of ['id', 'name']) for (const w of filterValues(filters, name)) filterPattern(w);
}

function exact(filters: Filters, name: string, value: string): boolean {
  const wanted = filterValues(filters, name);
  return wanted.length === 0 || wanted.includes(value);
}

function checkListFilters(filters: Filters): { type?: string; dangling?: boolean } {
  const out: { type?: string; dangling?: boolean } = {};
  for (const t of filterValues(filters, 'type')) {
    if (t !== 'custom' && t !== 'builtin') throw invalidParameter(`Invalid filter: 'type'='${t}'`);
    out.type = t;
  }
  for (const d of filterValues(filters, 'dangling')) {
    const v = d.toLowerCase();
    if (v === 'true' || v === '1') out.dangling = true;
    else if (v === 'false' || v === '0') out.dangling = false;
    else throw invalidParameter(`Invalid filter 'dangling=${d}'`);
  }
  return out;
}

export function networkMatches(tx: ReadTx, n: Network, filters: Filters): boolean {
  const { type, dangling } = checkListFilters(filters);
  const r = networkFromStore(n);
  if (type === 'builtin' && !PREDEFINED_NETWORKS.includes(r.Name)) return false;
  if (type === 'custom' && PREDEFINED_NETWORKS.includes(r.Name)) return false;
  if (dangling !== undefined && (networkUser(tx, n) === undefined) !== dangling) return false;
  return (
    goMatch(filters, 'id', r.Id) &&
    goMatch(filters, 'name', r.Name) &&
    exact(filters, 'driver', r.Driver) &&
    exact(filters, 'scope', r.Scope) &&
    matchesLabels(filters, 'label', r.Labels)
  );
}

/**
 * A write the engine takes when `onEngine` says so (decided here, before any forward: the
 * leader's engine is another node's), else the swarm's write, forwarded to the leader as usual.
 */
function localOr<G extends RouteGenericInterface>(
  ctx: RouteContext,
  onEngine: (request: FastifyRequest<G>) => boolean,
  swarmWrite: (request: FastifyRequest<G>, reply: FastifyReply) => Promise<unknown>,
): (request: FastifyRequest<G>, reply: FastifyReply) => Promise<unknown> {
  const forwarded = forwardable(ctx.control, swarmWrite);
  return async (request, reply) => {
    if (ctx.engine !== undefined && onEngine(request)) return passToEngine(request, reply);
    return forwarded(request, reply);
  };
}

export function registerNetworkRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { control } = ctx;

  app.get<{ Querystring: Static<typeof FiltersQuery> }>(
    '/networks',
    { schema: { querystring: FiltersQuery } },
    async (request, reply) => {
      const filters = parseFilters(request.query.filters, NETWORK_FILTERS);
      checkListFilters(filters);
      checkPatterns(filters);
      // With the engine: its local networks, then the swarm's (on an active manager).
      const swarm =
        ctx.engine === undefined || (control.localNodeState() === 'active' && control.isManager())
          ? managerStore(control).view((tx) =>
              tx
                .list('networks')
                .filter((n) => networkMatches(tx, n, filters))
                .sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt))
                .map((n) => networkFromStore(n)),
            )
          : [];
      if (ctx.engine === undefined) return reply.send(swarm);
      const local = await engineNetworks(ctx.engine, request.query.filters, new Set(swarm.map((n) => n.Id)));
      return reply.send([...local, ...swarm]);
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof NetworkInspectQuery> }>(
    '/networks/:id',
    { schema: { params: IdParams, querystring: NetworkInspectQuery } },
    (request, reply) => {
      const scope = request.query.scope ?? '';
      if (
        ctx.engine !== undefined &&
        scope !== 'swarm' &&
        !swarmHasNetwork(control, request.params.id, scope)
      ) {
        return passToEngine(request, reply);
      }
      const store = managerStore(control);
      const inspected = store.view((tx) => {
        const found = tx.get('networks', resolveNetworkId(tx, request.params.id));
        if (found === undefined || (scope !== '' && scope !== 'swarm')) {
          throw notFound(`network ${request.params.id} not found`);
        }
        return networkFromStore(found, localNetworkState(tx, found.id, control.nodeId()));
      });
      return reply.send(inspected);
    },
  );

  app.post<{ Body: DockerNetworkCreate }>(
    '/networks/create',
    { schema: { body: NetworkCreateSchema } },
    localOr(
      ctx,
      (request) => createsOnEngine(request.body),
      async (request, reply) => {
        const store = managerStore(control);
        const req = networkCreateRequest(generateId(), request.body);
        await store.update((tx) => {
          applyDecision(tx, createNetwork(tx, req));
        });
        const id = req.id;
        return reply.code(201).send({ Id: id, Warning: '' });
      },
    ),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/networks/:id',
    { schema: { params: IdParams } },
    localOr(
      ctx,
      (request) => !swarmHasNetwork(control, request.params.id),
      async (request, reply) => {
        const store = managerStore(control);
        await store.update((tx) => {
          applyDecision(tx, removeNetwork(tx, resolveNetworkId(tx, request.params.id)));
        });
        return reply.code(204).send();
      },
    ),
  );

  app.post<{ Querystring: Static<typeof FiltersQuery> }>(
    '/networks/prune',
    { schema: { querystring: FiltersQuery } },
    forwardable(control, async (request, reply) => {
      const filters = parseFilters(request.query.filters, ['label', 'label!', 'until']);
      const until = filterValues(filters, 'until');
      // Refused before anything else, also on a node that is no manager.
      checkPruneRequest({ until });
      const unwanted = filterValues(filters, 'label!');
      const store = managerStore(control);
      const selected = (n: Network): boolean =>
        matchesLabels(filters, 'label', n.spec.labels) &&
        !unwanted.some((l) => matchesLabels(new Map([['label!', [l]]]), 'label!', n.spec.labels));
      const deleted = await store.update((tx) => {
        const decision = pruneNetworks(tx, { selected, until });
        const names = writesOf(decision).map((w) =>
          w.op === 'delete' ? tx.get('networks', w.id)?.spec.name : '',
        );
        applyDecision(tx, decision);
        return names.filter((n) => n !== undefined && n !== '').sort();
      });
      return reply.send({ NetworksDeleted: deleted });
    }),
  );
}

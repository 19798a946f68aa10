// /tasks: list with Docker's filters (service and node given by name, ID or prefix), inspect.

import { isTaskDirty } from '../../task/spec-key.js';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { TASK_STATES, type ReadTx, type Task } from '../../store/index.js';
import type { RouteContext } from '../context.js';
import { invalidParameter } from '../errors.js';
import { filterValues, matchesLabels, matchesPrefix, parseFilters, type Filters } from '../filters.js';
import { managerStore } from '../manager-store.js';
import { parseBool } from '../query-values.js';
import { resolveNode, resolveService, resolveTask } from '../resolve.js';
import { FiltersQuery, IdParams } from '../../../api/docker/query.js';
import { taskFromStore, taskName } from '../translate/task.js';

const TASK_FILTERS = ['id', 'name', 'label', 'service', 'node', 'desired-state', 'runtime', '_up-to-date'];

/** The filters with service and node references resolved to IDs (404 when one is unknown). */
interface TaskQuery {
  readonly filters: Filters;
  readonly serviceIds: ReadonlySet<string>;
  readonly nodeIds: ReadonlySet<string>;
  readonly desired: ReadonlySet<string>;
  readonly upToDate: boolean | undefined;
}

function taskQuery(tx: ReadTx, filters: Filters, selfNodeId: string | undefined): TaskQuery {
  const desired = new Set<string>();
  for (const s of filterValues(filters, 'desired-state')) {
    if (!(TASK_STATES as readonly string[]).includes(s.toLowerCase())) {
      throw invalidParameter(`Invalid desired-state filter value: ${s}`);
    }
    desired.add(s.toLowerCase());
  }
  const upToDateValues = filterValues(filters, '_up-to-date');
  let upToDate: boolean | undefined;
  if (upToDateValues.length > 0) {
    upToDate = parseBool(upToDateValues[0]!);
    if (upToDate === undefined)
      throw invalidParameter(`invalid value for _up-to-date filter: ${upToDateValues[0]}`);
  }
  return {
    filters,
    serviceIds: new Set(filterValues(filters, 'service').map((s) => resolveService(tx, s).id)),
    nodeIds: new Set(
      filterValues(filters, 'node').map((n) =>
        n === 'self' && selfNodeId !== undefined ? selfNodeId : resolveNode(tx, n).id,
      ),
    ),
    desired,
    upToDate,
  };
}

function taskMatches(tx: ReadTx, t: Task, q: TaskQuery): boolean {
  if (q.serviceIds.size > 0 && !q.serviceIds.has(t.serviceId)) return false;
  if (q.nodeIds.size > 0 && (t.nodeId === undefined || !q.nodeIds.has(t.nodeId))) return false;
  if (q.desired.size > 0 && !q.desired.has(t.desiredState)) return false;
  if (q.upToDate !== undefined) {
    // Up to date: made from the service's current task template (as swarmkit decides; a
    // version number alone cannot tell, since scaling changes the version but not the tasks).
    const service = tx.get('services', t.serviceId);
    const current = service !== undefined && !isTaskDirty(service, t);
    if (current !== q.upToDate) return false;
  }
  return (
    matchesPrefix(q.filters, 'id', [t.id]) &&
    matchesPrefix(q.filters, 'name', [taskName(t)]) &&
    matchesLabels(q.filters, 'label', t.serviceAnnotations.labels) &&
    (filterValues(q.filters, 'runtime').length === 0 ||
      filterValues(q.filters, 'runtime').some((r) =>
        t.spec.attachment === undefined ? r === 'container' || r === '' : r === 'attachment',
      ))
  );
}

export function registerTaskRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { control } = ctx;

  app.get<{ Querystring: Static<typeof FiltersQuery> }>(
    '/tasks',
    { schema: { querystring: FiltersQuery } },
    (request, reply) => {
      const filters = parseFilters(request.query.filters, TASK_FILTERS);
      const store = managerStore(control);
      return reply.send(
        store.view((tx) => {
          const q = taskQuery(tx, filters, control.nodeId());
          const candidates =
            q.serviceIds.size > 0
              ? [...q.serviceIds].flatMap((id) => tx.find('tasks', 'serviceId', id))
              : tx.list('tasks');
          return candidates
            .filter((t) => taskMatches(tx, t, q))
            .sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt) || a.id.localeCompare(b.id))
            .map((t) => taskFromStore(t, (id) => tx.get('networks', id)));
        }),
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/tasks/:id',
    { schema: { params: IdParams } },
    (request, reply) => {
      const store = managerStore(control);
      return reply.send(
        store.view((tx) => taskFromStore(resolveTask(tx, request.params.id), (id) => tx.get('networks', id))),
      );
    },
  );
}

// /events: swarm-scoped events as a stream of JSON objects, one per line. `since` replays the
// events kept by the EventLog; `until` ends the stream at that time.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { API_VERSION } from '../api-version.js';
import type { RouteContext } from '../context.js';
import { EVENT_FILTERS, eventMatches, parseEventTime } from '../event-filters.js';
import { invalidParameter } from '../errors.js';
import { parseFilters } from '../filters.js';
import { managerStore } from '../manager-store.js';
import { longTimeout } from '../../../api/clock/clock.js';
import { EventsQuery } from '../../../api/docker/query.js';
import type { DockerEvent } from '../translate/event.js';
import { relayEngineEvents } from './engine-events.js';

export function registerEventRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: Static<typeof EventsQuery> }>(
    '/events',
    { schema: { querystring: EventsQuery } },
    async (request, reply) => {
      const q = request.query;
      const filters = parseFilters(q.filters, EVENT_FILTERS);
      const now = ctx.clock();
      const nowNano = now.getTime() * 1e6;
      const since =
        q.since === undefined || q.since === '' ? undefined : parseEventTime(q.since, now, 'since');
      const until =
        q.until === undefined || q.until === '' ? undefined : parseEventTime(q.until, now, 'until');
      if (since !== undefined && until !== undefined && until < since) {
        throw invalidParameter('`since` time must be before `until` time');
      }
      const state = ctx.control.localNodeState();
      if (state === 'active' && ctx.control.isManager()) ctx.events.follow(managerStore(ctx.control));

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Api-Version': API_VERSION,
        'Docker-Experimental': 'false',
        Ostype: 'linux',
        Server: `shoal/${ctx.build.version}`,
      });
      res.flushHeaders();
      const write = (e: DockerEvent): void => {
        if (eventMatches(e, filters)) res.write(`${JSON.stringify(e)}\n`);
      };
      // The stream ends once every part has: the swarm's at `until`, the engine's when it ends.
      let parts = ctx.engine === undefined ? 1 : 2;
      const partDone = (): void => {
        if (--parts === 0) res.end();
      };
      const closed = new AbortController();
      res.on('close', () => closed.abort());
      if (ctx.engine !== undefined) {
        const query = request.raw.url?.includes('?')
          ? request.raw.url.slice(request.raw.url.indexOf('?'))
          : '';
        void relayEngineEvents(ctx.engine, query, (line) => res.write(line), closed.signal).then(partDone);
      }
      if (since !== undefined) for (const e of ctx.events.recent(since, until)) write(e);
      if (until !== undefined && until <= nowNano) {
        partDone();
        return;
      }
      const unsubscribe = ctx.events.subscribe((e) => {
        if (until === undefined || e.timeNano <= until) write(e);
      });
      const timer = until === undefined ? undefined : longTimeout(partDone, (until - nowNano) / 1e6);
      res.on('close', () => {
        unsubscribe();
        timer?.();
      });
      request.raw.on('close', () => res.end());
    },
  );
}

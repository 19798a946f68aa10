// POST /networks/{id}/connect and /disconnect: containers are the engine's, so both go to it;
// a swarm network gets an attachment for the container first (engine-attach.ts), and a swarm
// network named by its cluster ID is named to the engine by its copy's name.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IdParams } from '../../../api/docker/query.js';
import type { RouteContext } from '../context.js';
import { connectContainer } from '../engine-attach.js';
import { passToEngine } from '../engine-passthrough.js';
import { engineRequest, type LocalEngine } from '../local-engine.js';
import { ENGINE_COPY_LABEL } from './engine-merge.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The engine's name for a swarm network named by its cluster ID, or the name as given. */
async function engineName(engine: LocalEngine, idOrName: string): Promise<string> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${ENGINE_COPY_LABEL}=${idOrName}`] }));
  const answer = await engineRequest(engine, 'GET', `/networks?filters=${filters}`);
  if (answer.status !== 200) return idOrName;
  try {
    const list: unknown = JSON.parse(answer.body.toString('utf8'));
    const first: unknown = Array.isArray(list) ? list[0] : undefined;
    return isObject(first) && typeof first['Name'] === 'string' ? first['Name'] : idOrName;
  } catch {
    return idOrName;
  }
}

export function registerNetworkConnectRoutes(
  app: FastifyInstance,
  ctx: RouteContext & { readonly engine: LocalEngine },
): void {
  const { control } = ctx;
  const engineOf = (): LocalEngine => ctx.engine;

  app.post<{ Params: Static<typeof IdParams>; Body: unknown }>(
    '/networks/:id/connect',
    { schema: { params: IdParams } },
    async (request, reply) => {
      const body = isObject(request.body) ? request.body : {};
      return connectContainer(control, engineOf(), request.params.id, body, request, reply);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: unknown }>(
    '/networks/:id/disconnect',
    { schema: { params: IdParams } },
    async (request, reply) => {
      const engine = engineOf();
      const name = await engineName(engine, request.params.id);
      const url = request.originalUrl;
      const prefix = url.slice(0, url.indexOf('/networks/'));
      return passToEngine(request, reply, {
        url: `${prefix}/networks/${encodeURIComponent(name)}/disconnect`,
        body: JSON.stringify(isObject(request.body) ? request.body : {}),
      });
    },
  );
}

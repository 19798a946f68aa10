// Everything shoal does not own goes to the node's Docker Engine, as dockerd would answer it:
// containers, images, volumes, exec, builds, plugins, registry calls. @fastify/reply-from sends
// each request over the engine's unix socket with its body streamed as it arrives (build
// contexts, image loads, archives) and streams the answer back (logs follow, pull and push
// progress, exports), with the engine's status, headers and error body unchanged. Hijacked
// connections (attach, exec start) never reach these routes: engine-upgrade.ts takes them.

import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { escape as escapePath } from 'node:querystring';
import { pipeline } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LocalEngine } from './local-engine.js';

/**
 * Top-level paths (after the /vX.Y prefix) that belong to the engine. Swarm paths, /networks,
 * /info, /version, /events and /_ping are shoal's (merged with the engine's where both own a
 * part); nothing else passes, so a swarm call never reaches the engine's own swarm by mistake.
 */
export const ENGINE_PATHS: readonly string[] = [
  '/containers',
  '/images',
  '/volumes',
  '/exec',
  '/build',
  '/system/df',
  '/plugins',
  '/distribution',
  '/session',
  '/grpc',
  '/commit',
  '/auth',
];

const fromEngine = new WeakSet<FastifyRequest>();

/** True for a request answered by the engine (its headers are the engine's, left as they are). */
export function answeredByEngine(request: FastifyRequest): boolean {
  return fromEngine.has(request);
}

/** True when `path` (without the version prefix and query) belongs to the engine. */
export function isEnginePath(path: string): boolean {
  return ENGINE_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

export interface PassOptions {
  /** The JSON body to send instead of the client's (a rewritten request). */
  readonly body?: string;
  /** The path (with version prefix and query) to send instead of the client's. */
  readonly url?: string;
  /** Told the engine's status before its answer streams to the client (or 502 if unreachable). */
  readonly onStatus?: (status: number) => void;
}

/** Sends the request to the engine as the client sent it (version prefix and query included). */
export function passToEngine(
  request: FastifyRequest,
  reply: FastifyReply,
  o: PassOptions = {},
): FastifyReply {
  fromEngine.add(request);
  return reply.from(o.url ?? request.originalUrl, {
    // Given as it goes out (reply-from would encode a body without a content type as JSON).
    ...(o.body === undefined ? {} : { body: o.body, contentType: 'application/json' }),
    // Headers go out as soon as the engine sent them: a follow, an attach's wait or an event
    // stream may stay silent for long, and the client waits for the status first.
    onResponse: (_request, r, res) => {
      o.onStatus?.(r.statusCode);
      r.hijack();
      const raw = r.raw as ServerResponse;
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(r.getHeaders()))
        if (value !== undefined) headers[name] = value;
      raw.writeHead(r.statusCode, headers);
      raw.flushHeaders();
      pipeline(res.stream, raw, () => undefined);
    },
    // An error body of the engine is its own; a failure to reach it is ours, in Docker's shape.
    onError: (r, { error }) => {
      o.onStatus?.(502);
      void r
        .code(502)
        .type('application/json')
        .send({ message: `cannot reach the node's Docker Engine: ${error.message}` });
    },
  });
}

/** Registers the proxy and the engine's routes (bodies left unparsed: they stream through). */
export async function registerEnginePassthrough(
  app: FastifyInstance,
  engine: LocalEngine,
  /** Engine routes shoal takes part in (their bodies unparsed, like the others'). */
  intercepts?: (child: FastifyInstance) => void,
): Promise<void> {
  await app.register(replyFrom, {
    base: `unix+http://${escapePath(engine.socketPath)}/`,
    // Follows and waits stay open as long as the engine keeps them, each on its own
    // connection: a bounded pool would queue every other call behind enough of them.
    undici: { headersTimeout: 0, bodyTimeout: 0, connections: null },
    // The engine's answers pass unchanged: no retry on its 503s, no re-encoding of its bodies.
    retryMethods: [],
    contentTypesToEncode: [],
    disableRequestLogging: true,
    destroyAgent: true,
  });
  await app.register((child, _opts, done) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', (_request, payload, next) => next(null, payload));
    const handler = (request: FastifyRequest, reply: FastifyReply): FastifyReply =>
      passToEngine(request, reply);
    intercepts?.(child);
    for (const path of ENGINE_PATHS) {
      child.all(path, handler);
      child.all(`${path}/*`, handler);
    }
    done();
  });
}

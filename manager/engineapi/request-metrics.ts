// Latency of every API request, by method, route and status code, for the metrics endpoint.
// The route is fastify's pattern ("/services/:id"), never the URL: IDs, names and queries
// would give a label an unbounded number of values. A request no route matched is
// "unmatched"; one passed through to the node's engine is "engine" (its own paths are the
// engine's business). Methods are bounded by Node's HTTP parser, codes by HTTP.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { answeredByEngine } from './engine-passthrough.js';

export interface RequestLabels {
  readonly method: string;
  readonly route: string;
  readonly code: string;
}

/** Where durations go (a prom-client Histogram with these labels fits). */
export interface RequestDurations {
  observe(labels: RequestLabels, seconds: number): void;
}

export function requestRoute(request: FastifyRequest): string {
  if (answeredByEngine(request)) return 'engine';
  return request.routeOptions.url ?? 'unmatched';
}

export function registerRequestMetrics(app: FastifyInstance, durations: RequestDurations): void {
  app.addHook('onResponse', (request, reply, done) => {
    durations.observe(
      { method: request.method, route: requestRoute(request), code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

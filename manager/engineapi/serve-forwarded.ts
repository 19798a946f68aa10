// The leader's side of a forwarded request: a follower's API request, run through this
// process's own routes (fastify's inject), its answer handed back whole.

import type { FastifyInstance } from 'fastify';
import type { ForwardedRequest, ForwardedResponse } from './swarm-control.js';

export async function serveForwarded(
  api: FastifyInstance,
  req: ForwardedRequest,
): Promise<ForwardedResponse> {
  const res = await api.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers,
    payload: Buffer.from(req.body),
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return { status: res.statusCode, headers, body: res.rawPayload };
}

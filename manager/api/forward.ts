// Writes that reach a follower manager: its store refuses them with NotLeaderError, and the
// whole HTTP request is sent to the leader's API; its answer is relayed as it came.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotLeaderError } from '../store/index.js';
import { rawBodyOf } from './request-body.js';
import type { SwarmControl } from './swarm-control.js';

/** Headers that describe one hop and must not be relayed. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'host',
  'content-length',
]);

function singleValued(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (HOP_BY_HOP.has(k) || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/**
 * Runs `handler`; if it fails with NotLeaderError, forwards the request to the leader and
 * relays the answer instead.
 */
export async function withForwarding(
  control: SwarmControl,
  request: FastifyRequest,
  reply: FastifyReply,
  handler: () => Promise<unknown>,
): Promise<unknown> {
  try {
    return await handler();
  } catch (e: unknown) {
    if (!(e instanceof NotLeaderError)) throw e;
    const answer = await control.forwardToLeader({
      method: request.method,
      url: request.originalUrl,
      headers: singleValued(request.headers),
      body: rawBodyOf(request),
    });
    reply.code(answer.status);
    for (const [k, v] of Object.entries(answer.headers)) {
      if (!HOP_BY_HOP.has(k.toLowerCase())) reply.header(k, v);
    }
    return reply.send(Buffer.from(answer.body));
  }
}

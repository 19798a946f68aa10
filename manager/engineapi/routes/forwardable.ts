// Wraps a write handler so that, on a follower, the request goes to the leader (forward.ts),
// retried briefly across a leader change when nothing can have run.

import type { FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { DEFAULT_FORWARD_RETRY, withForwarding, type ForwardRetry } from '../forward.js';
import type { SwarmControl } from '../swarm-control.js';

export function forwardable<G extends RouteGenericInterface>(
  control: SwarmControl,
  handler: (request: FastifyRequest<G>, reply: FastifyReply) => Promise<unknown>,
  retry: ForwardRetry = DEFAULT_FORWARD_RETRY,
): (request: FastifyRequest<G>, reply: FastifyReply) => Promise<unknown> {
  return (request, reply) => withForwarding(control, request, reply, () => handler(request, reply), retry);
}

// Wraps a write handler so that, on a follower, the request goes to the leader (forward.ts).

import type { FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { withForwarding } from '../forward.js';
import type { SwarmControl } from '../swarm-control.js';

export function forwardable<G extends RouteGenericInterface>(
  control: SwarmControl,
  handler: (request: FastifyRequest<G>, reply: FastifyReply) => Promise<unknown>,
): (request: FastifyRequest<G>, reply: FastifyReply) => Promise<unknown> {
  return (request, reply) => withForwarding(control, request, reply, () => handler(request, reply));
}

// Reads while the manager's Raft group has no leader (too few managers online). Docker fails
// them ("does not have a leader"); shoal answers them from this manager's last copy of the
// cluster state, which is better than nothing for an operator looking at a broken swarm (which
// nodes and services there were, what the tasks did last), and says so: every such answer
// carries the HTTP staleness warning, and /info's Swarm.Error names the cause. Writes are
// still refused (forward.ts answers Docker's 503), so nothing is decided on a stale copy.

import type { FastifyInstance } from 'fastify';
import { answeredByEngine } from './engine-passthrough.js';
import type { SwarmControl } from './swarm-control.js';

/** RFC 7234 warn-code 110, "Response is Stale", with what it means here. */
export const STALE_READ_WARNING =
  '110 shoal "Response is Stale: the swarm has no leader; this is this manager\'s last copy of the cluster state"';

/** True when reads on this node come from a manager that knows no leader. */
export function readsAreStale(control: SwarmControl): boolean {
  return control.localNodeState() === 'active' && control.isManager() && control.leaderRaftId() === 0;
}

/** Adds the staleness warning to successful reads answered while there is no leader. */
export function registerStaleReadWarning(app: FastifyInstance, control: SwarmControl): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (
      (request.method === 'GET' || request.method === 'HEAD') &&
      !answeredByEngine(request) &&
      reply.statusCode < 400 &&
      readsAreStale(control)
    )
      reply.header('Warning', STALE_READ_WARNING);
    done(null, payload);
  });
}

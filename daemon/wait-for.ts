// Waiting, with a deadline, for a condition on this node's own state (a manager to lead, to
// catch up, leadership to move): polled, as the things waited on expose no event for it.

import type { MemoryStore } from '../manager/store/index.js';
import { SwarmStateError } from './swarm-state-error.js';

export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new SwarmStateError('TIMEOUT', 500, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * After `swarm init`: waits (at most `ms`, without failing) until this node's agent registered
 * with the dispatcher, which writes the node's description and status. A client that inspects
 * the node and updates it right after init then holds the current version (no "update out of
 * sequence" from the registration landing in between). An agent that cannot reach its engine
 * registers later; init does not wait for it past `ms`.
 */
export async function nodeRegistered(
  store: Pick<MemoryStore, 'view'>,
  nodeId: string,
  ms = 10_000,
): Promise<void> {
  await waitFor(
    () => store.view((tx) => tx.get('nodes', nodeId)?.status.state === 'ready'),
    ms,
    'the node to register',
  ).catch(() => undefined);
}

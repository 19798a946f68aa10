// Waiting, with a deadline, for a condition on this node's own state (a manager to lead, to
// catch up, leadership to move): polled, as the things waited on expose no event for it.

import { SwarmStateError } from './swarm-state-error.js';

export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new SwarmStateError('TIMEOUT', 500, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

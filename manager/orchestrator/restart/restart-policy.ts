// Swarm's restart policy as pure decisions: whether a stopped task gets a replacement
// (condition none / on-failure / any, at most maxAttempts restarts within window), and how long
// the replacement's start is held back.

import type { Node, RestartPolicy, Task } from '../../../api/objects/index.js';
import { saneDelay } from '../../loop/long-timeout.js';

export interface RestartQuestion {
  readonly policy: RestartPolicy;
  /** The state the stopped task ended in. */
  readonly state: Task['status']['state'];
  /** Jobs run to completion: a completed job task is never restarted, whatever the condition. */
  readonly job: boolean;
  /** Times (ms) of earlier restarts of this slot under the same spec. */
  readonly restarts: readonly number[];
  readonly now: number;
}

/** Whether a task that stopped in `state` should be replaced. */
export function shouldRestart(q: RestartQuestion): boolean {
  const { policy, state } = q;
  if (policy.condition === 'none') return false;
  if (state === 'complete' && (policy.condition === 'on-failure' || q.job)) return false;
  if (policy.maxAttempts <= 0) return true;
  const since = policy.window > 0 ? q.now - policy.window : -Infinity;
  let counted = 0;
  for (const t of q.restarts) if (t > since) counted++;
  return counted < policy.maxAttempts;
}

/** How long the replacement waits before it starts: no delay when its node was drained or lost. */
export function restartDelay(policy: RestartPolicy, node: Node | undefined, nodeLost: boolean): number {
  if (nodeLost || node === undefined || node.spec.availability === 'drain') return 0;
  return saneDelay(policy.delay);
}

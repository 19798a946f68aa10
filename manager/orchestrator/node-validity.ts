// Whether a node can keep the tasks it has: a node that is down, drained or gone loses them
// (replicated tasks are replaced elsewhere; global tasks stop until the node is back).

import type { Node } from '../../api/objects/index.js';

export type NodeLoss = 'down' | 'drain' | 'removed';

/** Why tasks on this node must stop, or undefined if they may stay. */
export function nodeLoss(node: Node | undefined): NodeLoss | undefined {
  if (node === undefined) return 'removed';
  if (node.status.state === 'down') return 'down';
  if (node.spec.availability === 'drain') return 'drain';
  return undefined;
}

/** The message a task gets when its node is lost, as `docker service ps` shows it. */
export function lossMessage(loss: NodeLoss): string {
  switch (loss) {
    case 'down':
      return 'task orphaned: node is down';
    case 'drain':
      return 'node drained';
    case 'removed':
      return 'node removed from the swarm';
  }
}

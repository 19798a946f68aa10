// Node records as the dispatcher keeps them: a node that opens a session is refreshed (its
// description, 'ready', the address it connects from); a node whose heartbeats stop is
// marked 'down'. A node the store does not hold is not a member, and is refused.

import { isDeepStrictEqual } from 'node:util';
import type { WriteTx } from '../store/index.js';
import type { NodeDescription } from '../../api/objects/index.js';

export type NodeStatusChange =
  | {
      readonly kind: 'ready';
      readonly nodeId: string;
      readonly description: NodeDescription;
      readonly addr: string;
    }
  | { readonly kind: 'down'; readonly nodeId: string; readonly message: string };

export type NodeStatusOutcome = 'applied' | 'unchanged' | 'not-member';

/** Message a node is marked down with when its heartbeats stop (Docker's wording). */
export const HEARTBEAT_FAILURE = 'heartbeat failure';

export function applyNodeStatus(tx: WriteTx, changes: readonly NodeStatusChange[]): NodeStatusOutcome[] {
  return changes.map((c) => {
    const node = tx.get('nodes', c.nodeId);
    if (node === undefined) return 'not-member';
    if (c.kind === 'ready') {
      // A session that brings nothing new (a reconnect) leaves the node's version alone, so a
      // client holding it (inspect, then update with that version) is not out of sequence.
      const same =
        node.status.state === 'ready' &&
        node.status.message === '' &&
        node.status.addr === c.addr &&
        isDeepStrictEqual(node.description, c.description);
      if (same) return 'unchanged';
      tx.update('nodes', {
        ...node,
        description: c.description,
        status: { state: 'ready', message: '', addr: c.addr },
      });
      return 'applied';
    }
    if (node.status.state === 'down') return 'unchanged';
    tx.update('nodes', { ...node, status: { ...node.status, state: 'down', message: c.message } });
    return 'applied';
  });
}

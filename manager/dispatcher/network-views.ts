// The network views the dispatcher sends its agents. Every node's view is computed from one
// shared read of the store (ClusterNetworkViews), and that read is redone only after a change
// that can alter some view: a task status walking from accepted to running on a task with no
// network, the bulk of a busy cluster's writes, costs nothing here.

import { isDeepStrictEqual } from 'node:util';
import { ClusterNetworkViews, type DigestedView } from '../../agent/network/network-view.js';
import { taskStateRank, type Task } from '../store/objects/index.js';
import type { ChangeEvent, MemoryStore } from '../store/index.js';

const RUNNING = taskStateRank('running');

/**
 * What of a task a network view reads: where it runs while it is an endpoint, its attachments,
 * and whether it takes new connections. A task with no attachment matters only for host-mode
 * ports, which follow where it runs.
 */
function endpointKey(t: Task | undefined): string {
  if (t === undefined || t.nodeId === undefined || taskStateRank(t.status.state) > RUNNING) return '';
  if (t.networksAttachments.length === 0) return t.nodeId;
  const healthy = t.status.state === 'running' && t.desiredState === 'running';
  return JSON.stringify([t.nodeId, healthy, t.networksAttachments]);
}

/** Whether a store change can alter any node's network view. */
export function affectsNetworkViews(c: ChangeEvent): boolean {
  switch (c.table) {
    case 'networks':
    case 'services':
      return true;
    case 'nodes':
      return (
        c.action !== 'update' ||
        c.object.status.state !== c.oldObject.status.state ||
        c.object.status.addr !== c.oldObject.status.addr ||
        !isDeepStrictEqual(c.object.attachments, c.oldObject.attachments)
      );
    case 'tasks': {
      const before = c.action === 'create' ? undefined : c.action === 'update' ? c.oldObject : c.object;
      const after = c.action === 'delete' ? undefined : c.object;
      return endpointKey(before) !== endpointKey(after);
    }
    default:
      return false;
  }
}

/** Every node's view, read from the store on first use after an invalidation. */
export class NetworkViews {
  readonly #store: MemoryStore;
  #views: ClusterNetworkViews | undefined;

  constructor(store: MemoryStore) {
    this.#store = store;
  }

  /** A change that may alter a view was applied: the next read recomputes. */
  invalidate(): void {
    this.#views = undefined;
  }

  of(nodeId: string): DigestedView {
    this.#views ??= this.#store.view((tx) => ClusterNetworkViews.read(tx));
    return this.#views.digested(nodeId);
  }
}

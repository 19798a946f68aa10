// The network views the dispatcher sends its agents. Every node's view is computed from one
// shared read of the store (ClusterNetworkViews), and that read is redone only after a change
// that can alter some view: a task status walking from accepted to running on a task with no
// network, the bulk of a busy cluster's writes, costs nothing here. After a node's first full
// view it is sent updates: per network, keep, a patch from the previous read, or the whole.

import { isDeepStrictEqual } from 'node:util';
import {
  ClusterNetworkViews,
  isEndpointTask,
  isHealthyBackend,
  type DigestedView,
} from '../network/cluster-network-views.js';
import {
  diffNetwork,
  type NetworkEntry,
  type NetworkPatch,
  type NodeNetworkViewUpdate,
} from '../../api/network/network-view-update.js';
import type { Task } from '../../api/objects/index.js';
import type { ChangeEvent, MemoryStore } from '../store/index.js';

/**
 * What of a task a network view reads: where it runs while it is an endpoint, its attachments,
 * and whether it takes new connections. A task with no attachment matters only for host-mode
 * ports, which follow where it runs.
 */
function viewFootprint(t: Task | undefined): string {
  if (t === undefined || !isEndpointTask(t)) return '';
  if (t.networksAttachments.length === 0) return t.nodeId;
  return JSON.stringify([t.nodeId, isHealthyBackend(t), t.networksAttachments]);
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
      return viewFootprint(before) !== viewFootprint(after);
    }
    default:
      return false;
  }
}

/** Every node's view, read from the store on first use after an invalidation. */
export class NetworkViews {
  readonly #store: MemoryStore;
  #current: ClusterNetworkViews | undefined;
  /** The views read before the current ones: what nodes hold when they are patched. */
  #previous: ClusterNetworkViews | undefined;
  /** Patches from #previous to #current, per network (computed once, shared by every node). */
  #patches = new Map<string, NetworkPatch>();
  readonly #patchJson = new WeakMap<NetworkPatch, string>();

  constructor(store: MemoryStore) {
    this.#store = store;
  }

  /** A change that may alter a view was applied: the next read recomputes. */
  invalidate(): void {
    if (this.#current === undefined) return;
    this.#previous = this.#current;
    this.#current = undefined;
    this.#patches = new Map();
  }

  #views(): ClusterNetworkViews {
    this.#current ??= this.#store.view((tx) => ClusterNetworkViews.read(tx));
    return this.#current;
  }

  of(nodeId: string): DigestedView {
    return this.#views().digested(nodeId);
  }

  /**
   * What turns the networks a node holds (network ID → digest of the copy it holds) into its
   * current view `of(nodeId)`: each network kept, patched from the previous views when the node
   * holds that state, or sent whole.
   */
  update(current: DigestedView, held: ReadonlyMap<string, string>): NodeNetworkViewUpdate {
    const networks = current.view.networks.map((n): NetworkEntry => {
      const digest = current.networkDigests.get(n.networkId);
      const had = held.get(n.networkId);
      if (had !== undefined && had === digest) return { keep: n.networkId };
      const patch = had === undefined ? undefined : this.#patch(n.networkId, had);
      return patch === undefined ? { full: n } : { patch };
    });
    const { ingressAddress, hostPorts } = current.view;
    return {
      nodeId: current.view.nodeId,
      networks,
      ...(ingressAddress === undefined ? {} : { ingressAddress }),
      ...(hostPorts === undefined ? {} : { hostPorts }),
    };
  }

  /**
   * The JSON sent to a node: its whole view, or, given the networks it holds, an update. Each
   * network's and each patch's JSON is made once and shared by every node it goes to.
   */
  encode(current: DigestedView, held?: ReadonlyMap<string, string>): string {
    const { networks, ...rest } = current.view;
    const whole = (id: string): string => this.#views().network(id)?.json ?? 'null';
    const parts =
      held === undefined
        ? networks.map((n) => whole(n.networkId))
        : this.update(current, held).networks.map((e) => {
            if ('keep' in e) return JSON.stringify(e);
            if ('full' in e) return `{"full":${whole(e.full.networkId)}}`;
            let json = this.#patchJson.get(e.patch);
            if (json === undefined) {
              json = JSON.stringify(e.patch);
              this.#patchJson.set(e.patch, json);
            }
            return `{"patch":${json}}`;
          });
    const head = JSON.stringify(rest);
    return `${head.slice(0, -1)},"networks":[${parts.join(',')}]}`;
  }

  /** The network of `current` whose JSON is largest (to name it when a view is too large). */
  largestNetwork(
    current: DigestedView,
  ): { networkId: string; name: string; digest: string; bytes: number } | undefined {
    let best: { networkId: string; name: string; digest: string; bytes: number } | undefined;
    for (const n of current.view.networks) {
      const d = this.#views().network(n.networkId);
      if (d === undefined) continue;
      const bytes = Buffer.byteLength(d.json);
      if (best === undefined || bytes > best.bytes)
        best = { networkId: n.networkId, name: n.name, digest: d.digest, bytes };
    }
    return best;
  }

  #patch(networkId: string, from: string): NetworkPatch | undefined {
    const before = this.#previous?.network(networkId);
    if (before === undefined || before.digest !== from) return undefined;
    const cached = this.#patches.get(networkId);
    if (cached !== undefined) return cached;
    const after = this.#views().network(networkId);
    if (after === undefined) return undefined;
    const patch = diffNetwork(before.view, after.view);
    this.#patches.set(networkId, patch);
    return patch;
  }
}

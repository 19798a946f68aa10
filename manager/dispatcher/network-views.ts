// The network views the dispatcher sends its agents, kept up to date from the store's changes
// (manager/network/network-index.ts) at a cost proportional to each change: a task status
// walking from accepted to running on a task with no network costs nothing here, and a task
// starting on an overlay of ten thousand endpoints adds one. After a node's first full view it
// is sent updates: per network, keep, the patch from the version the node holds (one step made
// once per change, or the last steps composed into one for a node that missed some, each shared
// by every node and its JSON encoded once), or the whole network (its JSON kept until the
// network changes) for a node that holds a copy older than the steps kept.

import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';
import { isEndpointTask, isHealthyBackend } from '../network/view-rules.js';
import { digestOf } from '../network/view-rules.js';
import { NetworkIndex, type NetworkState } from '../network/network-index.js';
import {
  diffNetwork,
  type NetworkEntry,
  type NetworkPatch,
  type NodeNetworkViewUpdate,
} from '../../api/network/network-view-update.js';
import { composeNetworkPatches } from '../../api/network/network-patch-compose.js';
import type { NodeNetworkView, OverlayNetworkView, TaskHostPorts } from '../../api/network/network-view.js';
import type { Task } from '../../api/objects/index.js';
import type { ChangeEvent, MemoryStore } from '../store/index.js';

/** A node's view and a digest of it: equal digests mean equal views. */
export interface DigestedView {
  /** The whole view (made on first use: sending it does not need it). */
  readonly view: NodeNetworkView;
  readonly digest: string;
  /** Network ID → digest of that network's view, in the view's order. */
  readonly networkDigests: ReadonlyMap<string, string>;
}

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
    case 'clusters':
      // The data path port is in every network's header (it is fixed at init: this is rare).
      return c.action !== 'update' || c.object.dataPathPort !== c.oldObject.dataPathPort;
    case 'tasks': {
      const before = c.action === 'create' ? undefined : c.action === 'update' ? c.oldObject : c.object;
      const after = c.action === 'delete' ? undefined : c.object;
      return viewFootprint(before) !== viewFootprint(after);
    }
    default:
      return false;
  }
}

/** What a node's view is made of, besides the networks' contents. */
interface NodeHead {
  readonly head: Omit<NodeNetworkView, 'networks'>;
  readonly networks: readonly NetworkState[];
}

/** One network's whole view and its JSON, made once per version. */
interface WholeNetwork {
  readonly version: number;
  readonly view: OverlayNetworkView;
  readonly json: string;
  /** `json` as UTF-8, made the first time it is sent (shared by every node it goes to). */
  bytes?: Buffer;
}

/** Every node's view, from the index of the store read on first use and kept up to date. */
export class NetworkViews {
  readonly #store: MemoryStore;
  #index: NetworkIndex | undefined;
  /** Digests name a version of this instance's (never one of another leader's). */
  readonly #epoch = randomBytes(6).toString('base64url');
  #version = 0;
  readonly #nextVersion = (): number => ++this.#version;
  /** Views made in this generation (a session asks when deciding to send, and when sending). */
  #perNode = new Map<string, DigestedView>();
  readonly #heads = new WeakMap<DigestedView, NodeHead>();
  readonly #whole = new WeakMap<NetworkState, WholeNetwork>();
  readonly #patchBytes = new WeakMap<NetworkPatch, Buffer>();
  /** Composed patches of a network's current version, by the version they start from. */
  readonly #composed = new WeakMap<NetworkState, { version: number; from: Map<number, NetworkPatch> }>();

  constructor(store: MemoryStore) {
    this.#store = store;
  }

  /**
   * Applies store changes (those `affectsNetworkViews` lets through, in order) and closes them
   * as one step: what a network got from them is the patch nodes holding it before are sent.
   */
  apply(changes: readonly ChangeEvent[]): void {
    const index = this.#index;
    if (index === undefined) return; // read from the store on first use, these included
    for (const c of changes) index.apply(c);
    if (index.seal(this.#nextVersion)) this.#perNode = new Map();
  }

  /**
   * The store is read again (the watch was lost, or changes were applied without `apply`). A
   * network equal to the copy held before keeps its version; one that differs gets the patch.
   */
  invalidate(): void {
    const before = this.#index;
    if (before === undefined) return;
    const after = this.#store.view((tx) => NetworkIndex.read(tx));
    for (const st of after.allocatedNetworks()) {
      const old = before.network(st.id);
      const prev = old === undefined ? undefined : this.#wholeOf(before, old);
      const next = after.view(st)!;
      if (prev !== undefined && old !== undefined && isDeepStrictEqual(prev.view, next)) {
        st.version = old.version;
        this.#whole.set(st, prev);
        continue;
      }
      st.version = this.#nextVersion();
      st.patches =
        prev === undefined
          ? []
          : [{ from: old!.version, to: st.version, patch: diffNetwork(prev.view, next) }];
    }
    this.#index = after;
    this.#perNode = new Map();
  }

  #read(): NetworkIndex {
    if (this.#index === undefined) {
      const index = this.#store.view((tx) => NetworkIndex.read(tx));
      for (const st of index.allocatedNetworks()) st.version = this.#nextVersion();
      this.#index = index;
    }
    return this.#index;
  }

  #digestOf(version: number): string {
    return `${this.#epoch}.${version}`;
  }

  /** A network's whole view and JSON, made once per version (only when sent whole). */
  #wholeOf(index: NetworkIndex, st: NetworkState): WholeNetwork | undefined {
    const cached = this.#whole.get(st);
    if (cached?.version === st.version) return cached;
    const view = index.view(st);
    if (view === undefined) return undefined;
    const whole = { version: st.version, view, json: JSON.stringify(view) };
    this.#whole.set(st, whole);
    return whole;
  }

  of(nodeId: string): DigestedView {
    const index = this.#read();
    let digested = this.#perNode.get(nodeId);
    if (digested === undefined) {
      digested = this.#digested(index, nodeId);
      this.#perNode.set(nodeId, digested);
    }
    return digested;
  }

  #digested(index: NetworkIndex, nodeId: string): DigestedView {
    const head = index.nodeHead(nodeId);
    if (head === undefined) return { view: { nodeId, networks: [] }, digest: '', networkDigests: new Map() };
    const networkDigests = new Map(head.networks.map((st) => [st.id, this.#digestOf(st.version)]));
    const own: Omit<NodeNetworkView, 'networks'> & { hostPorts?: readonly TaskHostPorts[] } = {
      nodeId,
      ...(head.ingressAddress === undefined ? {} : { ingressAddress: head.ingressAddress }),
      ...(head.hostPorts === undefined ? {} : { hostPorts: head.hostPorts }),
    };
    const digest = digestOf(
      JSON.stringify([nodeId, head.ingressAddress ?? '', head.hostPorts ?? [], [...networkDigests]]),
    );
    const networks = head.networks;
    let view: NodeNetworkView | undefined;
    const wholeOf = (st: NetworkState): OverlayNetworkView => this.#wholeOf(index, st)!.view;
    const digested: DigestedView = {
      get view(): NodeNetworkView {
        view ??= { ...own, networks: networks.map(wholeOf) };
        return view;
      },
      digest,
      networkDigests,
    };
    this.#heads.set(digested, { head: own, networks });
    return digested;
  }

  #headOf(current: DigestedView): NodeHead {
    const h = this.#heads.get(current);
    if (h !== undefined) return h;
    const { networks: _n, ...head } = current.view;
    return { head, networks: [] };
  }

  /**
   * The patch that turns the copy a node holds (digest `had`) into the current one, if the
   * steps since are kept: one step as it is, several composed into one (made once per network
   * version and starting point, and shared by every node that holds that copy).
   */
  #patch(st: NetworkState, had: string): NetworkPatch | undefined {
    const steps = st.patches;
    const at = steps.findIndex((p) => this.#digestOf(p.from) === had);
    if (at < 0) return undefined;
    if (at === steps.length - 1) return steps[at]!.patch;
    let cache = this.#composed.get(st);
    if (cache?.version !== st.version) {
      cache = { version: st.version, from: new Map() };
      this.#composed.set(st, cache);
    }
    const from = steps[at]!.from;
    let patch = cache.from.get(from);
    if (patch === undefined) {
      patch = steps
        .slice(at + 1)
        .reduce((acc, step) => composeNetworkPatches(acc, step.patch), steps[at]!.patch);
      cache.from.set(from, patch);
    }
    return patch;
  }

  /**
   * What turns the networks a node holds (network ID → digest of the copy it holds) into its
   * current view `of(nodeId)`: each network kept, patched from the version before when the
   * node holds that one, or sent whole.
   */
  update(current: DigestedView, held: ReadonlyMap<string, string>): NodeNetworkViewUpdate {
    const { head, networks } = this.#headOf(current);
    const index = this.#read();
    const entries = networks.map((st): NetworkEntry => {
      const had = held.get(st.id);
      if (had !== undefined && had === current.networkDigests.get(st.id)) return { keep: st.id };
      const patch = had === undefined ? undefined : this.#patch(st, had);
      return patch === undefined ? { full: this.#wholeOf(index, st)!.view } : { patch };
    });
    return { ...head, networks: entries };
  }

  /**
   * The JSON sent to a node: its whole view, or, given the networks it holds, an update. Each
   * network's and each patch's JSON is made once and shared by every node it goes to.
   */
  encode(current: DigestedView, held?: ReadonlyMap<string, string>): string {
    return this.#parts(current, held)
      .map((p) => (typeof p === 'string' ? p : p.toString('utf8')))
      .join('');
  }

  /**
   * `encode` as UTF-8 bytes, put together from each network's and patch's bytes (made once per
   * version and shared): a whole network of megabytes is copied into a node's message, not
   * encoded again for every node.
   */
  encodeBytes(current: DigestedView, held?: ReadonlyMap<string, string>): Uint8Array {
    return Buffer.concat(this.#parts(current, held).map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
  }

  /**
   * The length of `encodeBytes(current, held)` without putting the message together: a view
   * that will not be sent now (too large, or past the leader's budget for views in flight) costs
   * no copy of its megabytes.
   */
  encodedSize(current: DigestedView, held?: ReadonlyMap<string, string>): number {
    let n = 0;
    for (const p of this.#parts(current, held))
      n += typeof p === 'string' ? Buffer.byteLength(p) : p.byteLength;
    return n;
  }

  /** The pieces of a node's message, in order: small text, and the shared bytes of large parts. */
  #parts(current: DigestedView, held: ReadonlyMap<string, string> | undefined): (string | Buffer)[] {
    const { head, networks } = this.#headOf(current);
    const index = this.#read();
    const whole = (st: NetworkState): string | Buffer => {
      const w = this.#wholeOf(index, st);
      if (w === undefined) return 'null';
      w.bytes ??= Buffer.from(w.json);
      return w.bytes;
    };
    const text = JSON.stringify(head);
    const out: (string | Buffer)[] = [`${text.slice(0, -1)},"networks":[`];
    networks.forEach((st, i) => {
      if (i > 0) out.push(',');
      if (held === undefined) return void out.push(whole(st));
      const had = held.get(st.id);
      if (had !== undefined && had === current.networkDigests.get(st.id))
        return void out.push(JSON.stringify({ keep: st.id }));
      const patch = had === undefined ? undefined : this.#patch(st, had);
      if (patch === undefined) return void out.push('{"full":', whole(st), '}');
      let bytes = this.#patchBytes.get(patch);
      if (bytes === undefined) {
        bytes = Buffer.from(JSON.stringify(patch));
        this.#patchBytes.set(patch, bytes);
      }
      out.push('{"patch":', bytes, '}');
    });
    out.push(']}');
    return out;
  }

  /** The network of `current` whose JSON is largest (to name it when a view is too large). */
  largestNetwork(
    current: DigestedView,
  ): { networkId: string; name: string; digest: string; bytes: number } | undefined {
    const index = this.#read();
    let best: { networkId: string; name: string; digest: string; bytes: number } | undefined;
    for (const st of this.#headOf(current).networks) {
      const d = this.#wholeOf(index, st);
      if (d === undefined) continue;
      const bytes = Buffer.byteLength(d.json);
      if (best === undefined || bytes > best.bytes)
        best = { networkId: st.id, name: d.view.name, digest: this.#digestOf(st.version), bytes };
    }
    return best;
  }
}

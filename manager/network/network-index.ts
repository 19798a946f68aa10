// Every node's network view kept up to date from the store's changes, at a cost proportional to
// each change: a task starting on an overlay of ten thousand endpoints adds one endpoint and one
// backend, it does not recompute the network. The rules are those of the view computed from a
// whole read of the store (cluster-network-views.ts, the reference the tests hold this to).
//
// What a batch of changes did to each network is recorded as it happens (each touched
// endpoint, service and backend with its value before the batch); `seal()` closes the batch
// and turns that record into the network's patch from its previous version, which is all the
// index keeps of the past (a node holding anything older gets the network whole).

import {
  compareServices,
  macOf,
  sortedBackends,
  sortedEndpoints,
  type BackendView,
  type EndpointView,
  type OverlayNetworkView,
  type PortView,
  type ServiceView,
  type TaskHostPorts,
} from '../../api/network/network-view.js';
import type { NetworkHeader, NetworkPatch, ServicePatch } from '../../api/network/network-view-update.js';
import type { Cluster, Network, Node, Service, Task } from '../../api/objects/index.js';
import type { ChangeEvent } from '../store/index.js';
import type { NetworkViewSource } from './cluster-network-views.js';
import {
  allocated,
  attachmentNames,
  bare,
  dataPathPortOf,
  DEFAULT_VXLAN_PORT,
  isEndpointTask,
  isHealthyBackend,
  networkHeader,
  portsOf,
} from './view-rules.js';

type EndpointTask = Task & { nodeId: string };
type ServiceHeader = Omit<ServiceView, 'backends'>;

/** What a live task added to the index, so that it can be taken back exactly. */
interface Contribution {
  readonly nodeId: string;
  readonly serviceId: string;
  /** Networks it is attached to (each once). */
  readonly networks: readonly string[];
  /** Networks on which it has an address (an endpoint and a backend). */
  readonly addressed: readonly string[];
  readonly hostPorts: boolean;
}

/** What one batch changed in a network: each touched item's value before the batch. */
interface Pending {
  readonly header: string;
  readonly endpoints: Map<string, EndpointView | undefined>;
  /** Service ID → JSON of its header on this network before the batch ('' when not on it). */
  readonly services: Map<string, string>;
  readonly backends: Map<string, Map<string, BackendView | undefined>>;
}

/** One step of a network's view: the change from version `from` to version `to`. */
export interface NetworkStep {
  readonly from: number;
  readonly to: number;
  readonly patch: NetworkPatch;
}

/** Steps a network keeps, for nodes that missed some (network-views.ts composes them). */
export const NETWORK_STEPS_KEPT = 16;

/** A network as views see it; kept for every network ID something refers to. */
export class NetworkState {
  readonly id: string;
  network: Network | undefined;
  /** Its header when allocated (only allocated networks are in views). */
  header: NetworkHeader | undefined;
  headerJson = '';
  readonly endpoints = new Map<string, EndpointView>();
  /** Service ID → task ID → backend. */
  readonly backends = new Map<string, Map<string, BackendView>>();
  /** Services whose spec or virtual IPs name this network. */
  readonly named = new Set<string>();
  /** Set by the views: changes with every patch. */
  version = 0;
  /**
   * The last steps to this version, oldest first, each the change from the version before it
   * (the last one ends at `version`); empty when the network is new or was read again whole.
   */
  patches: NetworkStep[] = [];
  pending: Pending | undefined;

  constructor(id: string) {
    this.id = id;
  }
}

/** Equal records of strings, numbers, booleans and lists of strings (endpoints and backends). */
function sameRecord(a: object | undefined, b: object | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => ra[k] === rb[k] || sameList(ra[k], rb[k]));
}

/** An attachment endpoint's names: equal lists of strings. */
function sameList(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
}

function hostPortsOf(s: Service | undefined): PortView[] {
  return s === undefined ? [] : portsOf(s).filter((p) => p.publishMode === 'host');
}

/** Networks a service names itself (its spec's attachments and its virtual IPs). */
function namedNetworks(s: Service | undefined): Set<string> {
  const out = new Set<string>();
  if (s === undefined) return out;
  for (const a of s.spec.taskTemplate.networks) out.add(a.target);
  for (const v of s.endpoint?.virtualIPs ?? []) out.add(v.networkId);
  return out;
}

const viewFields = (n: Node | undefined): string =>
  n === undefined ? '' : JSON.stringify([n.status.state, n.status.addr, n.attachments]);

export class NetworkIndex {
  readonly #nodes = new Map<string, Node>();
  readonly #services = new Map<string, Service>();
  /** Endpoint tasks (placed, not stopped), live or not. */
  readonly #tasks = new Map<string, EndpointTask>();
  readonly #byNode = new Map<string, Set<string>>();
  readonly #byService = new Map<string, Set<string>>();
  readonly #contributions = new Map<string, Contribution>();
  readonly #networks = new Map<string, NetworkState>();
  /** Allocated networks by name, then ID (made again when a network changes). */
  #sorted: NetworkState[] | undefined = [];
  /** Node → network → live tasks of the node attached to it. */
  readonly #joined = new Map<string, Map<string, number>>();
  /** Node → task → its host-mode ports. */
  readonly #hostPorts = new Map<string, Map<string, readonly PortView[]>>();
  /** Service → networks where it has backends. */
  readonly #backendNetworks = new Map<string, Set<string>>();
  /** Networks touched since the last seal. */
  readonly #touched = new Set<NetworkState>();
  /** Something a node's view reads changed since the last seal. */
  #nodesChanged = false;
  /** The cluster's VXLAN port, in every network's header. */
  #dataPathPort = DEFAULT_VXLAN_PORT;

  /** An index of what `source` holds now (with no patches). */
  static read(source: NetworkViewSource): NetworkIndex {
    const index = new NetworkIndex();
    index.#dataPathPort = dataPathPortOf(source.list('clusters')[0]);
    for (const n of source.list('networks')) index.#network(n.id, n);
    for (const n of source.list('nodes')) index.#node(n.id, n);
    for (const s of source.list('services')) index.#service(s.id, s);
    for (const t of source.list('tasks')) index.#task(t.id, t);
    for (const st of index.#touched) st.pending = undefined;
    index.#touched.clear();
    index.#nodesChanged = false;
    return index;
  }

  /** Applies one change of the store (applying the same state again changes nothing). */
  apply(c: ChangeEvent): void {
    const gone = c.action === 'delete';
    switch (c.table) {
      case 'networks':
        return this.#network(c.object.id, gone ? undefined : c.object);
      case 'nodes':
        return this.#node(c.object.id, gone ? undefined : c.object);
      case 'services':
        return this.#service(c.object.id, gone ? undefined : c.object);
      case 'tasks':
        return this.#task(c.object.id, gone ? undefined : c.object);
      case 'clusters':
        return this.#cluster(gone ? undefined : c.object);
      default:
        return;
    }
  }

  /**
   * Closes the changes applied since the last seal: each network that changed gets the next
   * version from `nextVersion` and its patch from the version before. Returns whether any
   * node's view may have changed.
   */
  seal(nextVersion: () => number): boolean {
    let changed = this.#nodesChanged;
    for (const st of this.#touched) {
      const p = st.pending;
      st.pending = undefined;
      if (p === undefined) continue;
      const patch = this.#patchOf(st, p);
      if (patch === false) continue;
      changed = true;
      const from = st.version;
      st.version = nextVersion();
      if (patch === undefined) st.patches = [];
      else {
        st.patches.push({ from, to: st.version, patch });
        if (st.patches.length > NETWORK_STEPS_KEPT) st.patches.shift();
      }
    }
    this.#touched.clear();
    this.#nodesChanged = false;
    return changed;
  }

  /** The network's state, if anything refers to it. */
  network(id: string): NetworkState | undefined {
    return this.#networks.get(id);
  }

  /** Allocated networks, by name then ID. */
  allocatedNetworks(): readonly NetworkState[] {
    this.#sorted ??= [...this.#networks.values()]
      .filter((st) => st.header !== undefined)
      .sort((a, b) => a.header!.name.localeCompare(b.header!.name) || a.id.localeCompare(b.id));
    return this.#sorted;
  }

  /**
   * What a node's view holds besides the networks' contents: the networks it takes part in (in
   * the view's order), its ingress address and its host ports; undefined for an unknown node.
   */
  nodeHead(
    nodeId: string,
  ): { networks: NetworkState[]; ingressAddress?: string; hostPorts?: TaskHostPorts[] } | undefined {
    const node = this.#nodes.get(nodeId);
    if (node === undefined) return undefined;
    const joined = this.#joined.get(nodeId);
    const ready = node.status.state === 'ready';
    const networks: NetworkState[] = [];
    if (joined !== undefined && joined.size < this.allocatedNetworks().length) {
      // Few networks of many: walk the node's own (the common case on a large cluster).
      for (const id of joined.keys()) {
        const st = this.#networks.get(id);
        if (st?.header !== undefined) networks.push(st);
      }
      if (ready)
        for (const st of this.allocatedNetworks())
          if (st.header!.ingress && !joined.has(st.id)) networks.push(st);
      networks.sort((a, b) => a.header!.name.localeCompare(b.header!.name) || a.id.localeCompare(b.id));
    } else {
      for (const st of this.allocatedNetworks())
        if ((joined?.has(st.id) ?? false) || (ready && st.header!.ingress)) networks.push(st);
    }
    const ingress = networks.find((st) => st.header!.ingress);
    const ingressAddress = ingress && node.attachments.find((a) => a.networkId === ingress.id)?.addresses[0];
    const ports = this.#hostPorts.get(nodeId);
    const hostPorts =
      ports === undefined
        ? []
        : [...ports].sort(([a], [b]) => a.localeCompare(b)).map(([taskId, p]) => ({ taskId, ports: [...p] }));
    return {
      networks,
      ...(ingressAddress === undefined ? {} : { ingressAddress }),
      ...(hostPorts.length === 0 ? {} : { hostPorts }),
    };
  }

  /** An allocated network's whole view (O(its size): made only when sent whole). */
  view(st: NetworkState): OverlayNetworkView | undefined {
    if (st.header === undefined) return undefined;
    const services: ServiceView[] = [];
    for (const sid of this.#servicesOn(st)) {
      const header = this.#serviceHeader(st, sid);
      if (header !== undefined)
        services.push({ ...header, backends: sortedBackends(st.backends.get(sid)?.values() ?? []) });
    }
    return {
      ...st.header,
      endpoints: sortedEndpoints(st.endpoints.values()),
      services: services.sort(compareServices),
    };
  }

  #servicesOn(st: NetworkState): Set<string> {
    return new Set([...st.named, ...st.backends.keys()]);
  }

  #state(id: string): NetworkState {
    let st = this.#networks.get(id);
    if (st === undefined) {
      st = new NetworkState(id);
      this.#networks.set(id, st);
    }
    return st;
  }

  /** Starts (once per batch) the record of what the batch changes in `st`. */
  #pending(st: NetworkState): Pending {
    if (st.pending === undefined) {
      st.pending = { header: st.headerJson, endpoints: new Map(), services: new Map(), backends: new Map() };
      this.#touched.add(st);
    }
    return st.pending;
  }

  #serviceHeader(st: NetworkState, sid: string): ServiceHeader | undefined {
    const s = this.#services.get(sid);
    if (s === undefined) return undefined;
    const vip = s.endpoint?.virtualIPs.find((v) => v.networkId === st.id)?.addr;
    const attached = s.spec.taskTemplate.networks.find((a) => a.target === st.id);
    if (vip === undefined && attached === undefined && !st.backends.has(sid)) return undefined;
    const mode = s.spec.endpointSpec?.mode ?? 'vip';
    return {
      serviceId: s.id,
      name: s.spec.name,
      endpointMode: mode,
      ...(vip === undefined || mode !== 'vip' ? {} : { vip: bare(vip) }),
      aliases: [...(attached?.aliases ?? [])],
      ports: portsOf(s),
    };
  }

  #serviceJson(st: NetworkState, sid: string): string {
    const h = this.#serviceHeader(st, sid);
    return h === undefined ? '' : JSON.stringify(h);
  }

  /** Records a service's header on `st` before the batch changes it. */
  #touchService(st: NetworkState, sid: string): void {
    const p = this.#pending(st);
    if (!p.services.has(sid)) p.services.set(sid, this.#serviceJson(st, sid));
  }

  #putEndpoint(st: NetworkState, key: string, e: EndpointView | undefined): void {
    const p = this.#pending(st);
    if (!p.endpoints.has(key)) p.endpoints.set(key, st.endpoints.get(key));
    if (e === undefined) st.endpoints.delete(key);
    else st.endpoints.set(key, e);
  }

  #putBackend(st: NetworkState, sid: string, taskId: string, b: BackendView | undefined): void {
    this.#touchService(st, sid);
    const p = this.#pending(st);
    let base = p.backends.get(sid);
    if (base === undefined) {
      base = new Map();
      p.backends.set(sid, base);
    }
    let current = st.backends.get(sid);
    if (!base.has(taskId)) base.set(taskId, current?.get(taskId));
    if (b !== undefined) {
      if (current === undefined) {
        current = new Map();
        st.backends.set(sid, current);
        let nets = this.#backendNetworks.get(sid);
        if (nets === undefined) {
          nets = new Set();
          this.#backendNetworks.set(sid, nets);
        }
        nets.add(st.id);
      }
      current.set(taskId, b);
    } else if (current !== undefined) {
      current.delete(taskId);
      if (current.size === 0) {
        st.backends.delete(sid);
        const nets = this.#backendNetworks.get(sid);
        nets?.delete(st.id);
        if (nets?.size === 0) this.#backendNetworks.delete(sid);
      }
    }
  }

  /** The patch a batch made (false: nothing changed; undefined: the network is new or gone). */
  #patchOf(st: NetworkState, p: Pending): NetworkPatch | false | undefined {
    const removedEndpoints: string[] = [];
    const endpoints: EndpointView[] = [];
    for (const [key, before] of p.endpoints) {
      const now = st.endpoints.get(key);
      if (sameRecord(before, now)) continue;
      if (now === undefined) removedEndpoints.push(key);
      else endpoints.push(now);
    }
    const removedServices: string[] = [];
    const services: ServicePatch[] = [];
    const sids = new Set([...p.services.keys(), ...p.backends.keys()]);
    for (const sid of sids) {
      const before = p.services.get(sid) ?? '';
      const header = this.#serviceHeader(st, sid);
      if (header === undefined) {
        if (before !== '') removedServices.push(sid);
        continue;
      }
      const current = st.backends.get(sid);
      if (before === '') {
        services.push({ header, removedBackends: [], backends: sortedBackends(current?.values() ?? []) });
        continue;
      }
      const removedBackends: string[] = [];
      const backends: BackendView[] = [];
      for (const [taskId, was] of p.backends.get(sid) ?? []) {
        const now = current?.get(taskId);
        if (sameRecord(was, now)) continue;
        if (now === undefined) removedBackends.push(taskId);
        else backends.push(now);
      }
      if (removedBackends.length + backends.length > 0 || before !== JSON.stringify(header))
        services.push({ header, removedBackends, backends });
    }
    const headerChanged = p.header !== st.headerJson;
    const changes = removedEndpoints.length + endpoints.length + removedServices.length + services.length;
    if (!headerChanged && changes === 0) return false;
    if (st.header === undefined && p.header === '') return false; // in no view, before or after
    if (st.header === undefined || p.header === '') return undefined;
    return { header: st.header, removedEndpoints, endpoints, removedServices, services };
  }

  /** A new data path port changes every network's header (it is fixed at init in practice). */
  #cluster(c: Cluster | undefined): void {
    const port = dataPathPortOf(c);
    if (port === this.#dataPathPort) return;
    this.#dataPathPort = port;
    for (const st of this.#networks.values()) if (st.network !== undefined) this.#network(st.id, st.network);
  }

  #network(id: string, next: Network | undefined): void {
    const st = this.#state(id);
    const wasIngress = st.network?.spec.ingress ?? false;
    this.#pending(st);
    st.network = next;
    const alloc = next === undefined ? undefined : allocated(next);
    st.header =
      next === undefined || alloc === undefined ? undefined : networkHeader(next, alloc, this.#dataPathPort);
    st.headerJson = st.header === undefined ? '' : JSON.stringify(st.header);
    this.#sorted = undefined;
    this.#nodesChanged = true;
    if (wasIngress || (next?.spec.ingress ?? false)) for (const n of this.#nodes.keys()) this.#sandbox(st, n);
  }

  /** An ingress network's sandbox endpoint on a node, made to follow the node and the network. */
  #sandbox(st: NetworkState, nodeId: string): void {
    const node = this.#nodes.get(nodeId);
    const address =
      st.network?.spec.ingress === true && node?.status.state === 'ready'
        ? node.attachments.find((a) => a.networkId === st.id)?.addresses[0]
        : undefined;
    const key = `node:${nodeId}`;
    const e: EndpointView | undefined =
      node === undefined || address === undefined
        ? undefined
        : { kind: 'ingress-sandbox', nodeId, nodeAddr: node.status.addr, address, mac: macOf(address) };
    if (sameRecord(st.endpoints.get(key), e)) return;
    this.#putEndpoint(st, key, e);
  }

  #node(id: string, next: Node | undefined): void {
    const prev = this.#nodes.get(id);
    if (prev !== undefined && next !== undefined && viewFields(prev) === viewFields(next)) {
      this.#nodes.set(id, next);
      return;
    }
    const tasks = [...(this.#byNode.get(id) ?? [])];
    for (const t of tasks) this.#retract(t);
    if (next === undefined) this.#nodes.delete(id);
    else this.#nodes.set(id, next);
    for (const t of tasks) this.#assert(this.#tasks.get(t)!);
    for (const st of this.#networks.values()) if (st.network?.spec.ingress === true) this.#sandbox(st, id);
    this.#nodesChanged = true;
  }

  #service(id: string, next: Service | undefined): void {
    const prev = this.#services.get(id);
    const nets = new Set([
      ...namedNetworks(prev),
      ...namedNetworks(next),
      ...(this.#backendNetworks.get(id) ?? []),
    ]);
    for (const n of nets) this.#touchService(this.#state(n), id);
    const before = namedNetworks(prev);
    const after = namedNetworks(next);
    for (const n of before) if (!after.has(n)) this.#state(n).named.delete(id);
    for (const n of after) this.#state(n).named.add(id);
    const hostPortsChanged = JSON.stringify(hostPortsOf(prev)) !== JSON.stringify(hostPortsOf(next));
    const tasks = hostPortsChanged ? [...(this.#byService.get(id) ?? [])] : [];
    for (const t of tasks) this.#retract(t);
    if (next === undefined) this.#services.delete(id);
    else this.#services.set(id, next);
    for (const t of tasks) this.#assert(this.#tasks.get(t)!);
  }

  #task(id: string, next: Task | undefined): void {
    const prev = this.#tasks.get(id);
    if (prev !== undefined) {
      this.#retract(id);
      this.#tasks.delete(id);
      this.#byNode.get(prev.nodeId)?.delete(id);
      if (this.#byNode.get(prev.nodeId)?.size === 0) this.#byNode.delete(prev.nodeId);
      this.#byService.get(prev.serviceId)?.delete(id);
      if (this.#byService.get(prev.serviceId)?.size === 0) this.#byService.delete(prev.serviceId);
    }
    if (next === undefined || !isEndpointTask(next)) return;
    this.#tasks.set(id, next);
    let onNode = this.#byNode.get(next.nodeId);
    if (onNode === undefined) {
      onNode = new Set();
      this.#byNode.set(next.nodeId, onNode);
    }
    onNode.add(id);
    let ofService = this.#byService.get(next.serviceId);
    if (ofService === undefined) {
      ofService = new Set();
      this.#byService.set(next.serviceId, ofService);
    }
    ofService.add(id);
    this.#assert(next);
  }

  /** Adds what a task gives the views, if it is live (its node is known and not down). */
  #assert(t: EndpointTask): void {
    const node = this.#nodes.get(t.nodeId);
    if (node === undefined || node.status.state === 'down') return;
    const networks: string[] = [];
    const addressed: string[] = [];
    let joined = this.#joined.get(t.nodeId);
    for (const a of t.networksAttachments) {
      if (networks.includes(a.networkId)) continue;
      networks.push(a.networkId);
      if (joined === undefined) {
        joined = new Map();
        this.#joined.set(t.nodeId, joined);
      }
      joined.set(a.networkId, (joined.get(a.networkId) ?? 0) + 1);
      const address = a.addresses[0];
      if (address === undefined) continue;
      addressed.push(a.networkId);
      const st = this.#state(a.networkId);
      this.#putEndpoint(st, `task:${t.id}`, {
        kind: 'task',
        taskId: t.id,
        serviceId: t.serviceId,
        serviceName: t.serviceAnnotations.name,
        ...attachmentNames(t, a.networkId),
        nodeId: t.nodeId,
        nodeAddr: node.status.addr,
        address,
        mac: macOf(address),
      });
      this.#putBackend(st, t.serviceId, t.id, {
        taskId: t.id,
        address: bare(address),
        nodeId: t.nodeId,
        healthy: isHealthyBackend(t),
      });
    }
    const ports = hostPortsOf(this.#services.get(t.serviceId));
    if (ports.length > 0) {
      let mine = this.#hostPorts.get(t.nodeId);
      if (mine === undefined) {
        mine = new Map();
        this.#hostPorts.set(t.nodeId, mine);
      }
      mine.set(t.id, ports);
    }
    if (networks.length > 0 || ports.length > 0) this.#nodesChanged = true;
    this.#contributions.set(t.id, {
      nodeId: t.nodeId,
      serviceId: t.serviceId,
      networks,
      addressed,
      hostPorts: ports.length > 0,
    });
  }

  /** Takes back what `#assert` added for a task. */
  #retract(taskId: string): void {
    const c = this.#contributions.get(taskId);
    if (c === undefined) return;
    this.#contributions.delete(taskId);
    const joined = this.#joined.get(c.nodeId);
    for (const n of c.networks) {
      const count = (joined?.get(n) ?? 1) - 1;
      if (count > 0) joined?.set(n, count);
      else joined?.delete(n);
    }
    if (joined?.size === 0) this.#joined.delete(c.nodeId);
    for (const n of c.addressed) {
      const st = this.#state(n);
      this.#putEndpoint(st, `task:${taskId}`, undefined);
      this.#putBackend(st, c.serviceId, taskId, undefined);
    }
    if (c.hostPorts) {
      const mine = this.#hostPorts.get(c.nodeId);
      mine?.delete(taskId);
      if (mine?.size === 0) this.#hostPorts.delete(c.nodeId);
    }
    if (c.networks.length > 0 || c.hostPorts) this.#nodesChanged = true;
  }
}

// Every node's network view (api/network/network-view.ts), computed by pure functions from the
// store's objects: ClusterNetworkViews shares one read of the cluster among every node's view.
//
// A node takes part in an overlay network when it runs a live task attached to it, and in the
// ingress network whenever it is ready (every node answers published ports). For each such
// network the view lists every live endpoint in the cluster (for forwarding), and every
// service on it with its virtual IP, ports and backends (for DNS and load balancing).

import type { Network, Node, Service, Task } from '../../api/objects/index.js';
import {
  compareServices,
  sortedBackends,
  sortedEndpoints,
  type BackendView,
  type EndpointView,
  type NodeNetworkView,
  type OverlayNetworkView,
  type ServiceView,
  macOf,
  type TaskHostPorts,
} from '../../api/network/network-view.js';
import type { ReadTx } from '../store/read-tx.js';
import {
  allocated,
  attachmentNames,
  bare,
  dataPathPortOf,
  digestOf,
  isEndpointTask,
  isHealthyBackend,
  networkHeader,
  portsOf,
  type Allocation,
} from './view-rules.js';

export { isEndpointTask, isHealthyBackend } from './view-rules.js';

/** What the view reads: a store read transaction (or anything answering the same calls). */
export type NetworkViewSource = Pick<ReadTx, 'get' | 'list'>;

/** An endpoint task on a node that is not down. */
function isLiveEndpoint(t: Task, nodeOf: (id: string) => Node | undefined): t is Task & { nodeId: string } {
  if (!isEndpointTask(t)) return false;
  const node = nodeOf(t.nodeId);
  return node !== undefined && node.status.state !== 'down';
}

/** The store objects views are computed from (frozen, read once in one transaction). */
interface ViewInputs {
  readonly nodes: readonly Node[];
  readonly tasks: readonly Task[];
  readonly networks: readonly Network[];
  /** The cluster's VXLAN port. */
  readonly dataPathPort: number;
  readonly services: readonly Service[];
}

type LiveTask = Task & { nodeId: string };

/** A node's view and a digest of it: equal digests mean equal views. */
export interface DigestedView {
  readonly view: NodeNetworkView;
  readonly digest: string;
  /** Network ID → digest of that network's view. */
  readonly networkDigests: ReadonlyMap<string, string>;
}

/** One network's view, its JSON and a digest of it. */
export interface DigestedNetwork {
  readonly view: OverlayNetworkView;
  readonly json: string;
  readonly digest: string;
}

/**
 * Every node's network view from one read of the store. What is the same for every node (each
 * network's endpoints and services) is computed once, on first use, and shared: a manager with a
 * thousand sessions pays for the cluster once per change, not once per node.
 */
export class ClusterNetworkViews {
  readonly #nodes: ReadonlyMap<string, Node>;
  /** Allocated networks, sorted by name. */
  readonly #networks: readonly { network: Network; alloc: Allocation }[];
  readonly #services: readonly Service[];
  readonly #servicesById: ReadonlyMap<string, Service>;
  /** Node → networks its live tasks are attached to. */
  readonly #joined = new Map<string, Set<string>>();
  /** Network → live tasks attached to it. */
  readonly #attached = new Map<string, LiveTask[]>();
  /** Node → its live tasks with host-mode published ports, sorted by task ID. */
  readonly #hostPorts = new Map<string, TaskHostPorts[]>();
  readonly #perNetwork = new Map<string, DigestedNetwork>();
  readonly #perNode = new Map<string, DigestedView>();
  readonly #dataPathPort: number;

  private constructor(inputs: ViewInputs) {
    this.#dataPathPort = inputs.dataPathPort;
    this.#nodes = new Map(inputs.nodes.map((n) => [n.id, n]));
    this.#services = inputs.services;
    this.#servicesById = new Map(inputs.services.map((s) => [s.id, s]));
    const networks: { network: Network; alloc: Allocation }[] = [];
    for (const network of inputs.networks) {
      const alloc = allocated(network);
      if (alloc !== undefined) networks.push({ network, alloc });
    }
    this.#networks = networks.sort((a, b) => a.network.spec.name.localeCompare(b.network.spec.name));
    for (const t of inputs.tasks) {
      if (!isLiveEndpoint(t, (id) => this.#nodes.get(id))) continue;
      for (const a of t.networksAttachments) {
        const joined = this.#joined.get(t.nodeId) ?? new Set<string>();
        joined.add(a.networkId);
        this.#joined.set(t.nodeId, joined);
        const attached = this.#attached.get(a.networkId) ?? [];
        attached.push(t);
        this.#attached.set(a.networkId, attached);
      }
      const s = this.#servicesById.get(t.serviceId);
      const ports = s === undefined ? [] : portsOf(s).filter((p) => p.publishMode === 'host');
      if (ports.length === 0) continue;
      const list = this.#hostPorts.get(t.nodeId) ?? [];
      list.push({ taskId: t.id, ports });
      this.#hostPorts.set(t.nodeId, list);
    }
    for (const list of this.#hostPorts.values()) list.sort((a, b) => a.taskId.localeCompare(b.taskId));
  }

  /** Reads what the views need; the result may be used after the transaction ends. */
  static read(source: NetworkViewSource): ClusterNetworkViews {
    return new ClusterNetworkViews({
      nodes: source.list('nodes'),
      tasks: source.list('tasks'),
      networks: source.list('networks'),
      services: source.list('services'),
      dataPathPort: dataPathPortOf(source.list('clusters')[0]),
    });
  }

  forNode(nodeId: string): NodeNetworkView {
    return this.digested(nodeId).view;
  }

  /**
   * The node's view with a digest of it, to tell cheaply whether it changed; made once per node
   * per read (a session asks when deciding to send, and again when sending).
   */
  digested(nodeId: string): DigestedView {
    let v = this.#perNode.get(nodeId);
    if (v === undefined) {
      v = this.#digest(nodeId);
      this.#perNode.set(nodeId, v);
    }
    return v;
  }

  #digest(nodeId: string): DigestedView {
    const node = this.#nodes.get(nodeId);
    if (node === undefined) return { view: { nodeId, networks: [] }, digest: '', networkDigests: new Map() };
    const joined = this.#joined.get(nodeId);
    const networks: OverlayNetworkView[] = [];
    const networkDigests = new Map<string, string>();
    for (const { network, alloc } of this.#networks) {
      if (!(joined?.has(network.id) ?? false) && !(network.spec.ingress && node.status.state === 'ready'))
        continue;
      const v = this.#networkView(network, alloc);
      networks.push(v.view);
      networkDigests.set(network.id, v.digest);
    }
    const ingress = networks.find((n) => n.ingress);
    const ingressAddress =
      ingress && node.attachments.find((a) => a.networkId === ingress.networkId)?.addresses[0];
    const hostPorts = this.#hostPorts.get(nodeId) ?? [];
    const view: NodeNetworkView = {
      nodeId,
      networks,
      ...(ingressAddress === undefined ? {} : { ingressAddress }),
      ...(hostPorts.length === 0 ? {} : { hostPorts }),
    };
    const digest = digestOf(JSON.stringify([nodeId, ingressAddress ?? '', hostPorts, [...networkDigests]]));
    return { view, digest, networkDigests };
  }

  /** One network's view, if the network exists and is allocated. */
  network(networkId: string): DigestedNetwork | undefined {
    const n = this.#networks.find((x) => x.network.id === networkId);
    return n === undefined ? undefined : this.#networkView(n.network, n.alloc);
  }

  #networkView(n: Network, alloc: Allocation): DigestedNetwork {
    const cached = this.#perNetwork.get(n.id);
    if (cached !== undefined) return cached;
    const view = networkView(
      n,
      alloc,
      this.#attached.get(n.id) ?? [],
      this.#nodes,
      this.#services,
      this.#dataPathPort,
    );
    const json = JSON.stringify(view);
    const computed = { view, json, digest: digestOf(json) };
    this.#perNetwork.set(n.id, computed);
    return computed;
  }
}

/** One node's view, straight from the store. */
export function nodeNetworkView(source: NetworkViewSource, nodeId: string): NodeNetworkView {
  return ClusterNetworkViews.read(source).forNode(nodeId);
}

function networkView(
  n: Network,
  alloc: Allocation,
  attached: readonly LiveTask[],
  nodes: ReadonlyMap<string, Node>,
  allServices: readonly Service[],
  dataPathPort: number,
): OverlayNetworkView {
  const endpoints: EndpointView[] = [];
  const backends = new Map<string, BackendView[]>();
  for (const t of attached) {
    const address = t.networksAttachments.find((a) => a.networkId === n.id)?.addresses[0];
    if (address === undefined) continue;
    const nodeAddr = nodes.get(t.nodeId)?.status.addr ?? '';
    endpoints.push({
      kind: 'task',
      taskId: t.id,
      serviceId: t.serviceId,
      serviceName: t.serviceAnnotations.name,
      ...attachmentNames(t, n.id),
      nodeId: t.nodeId,
      nodeAddr,
      address,
      mac: macOf(address),
    });
    const list = backends.get(t.serviceId) ?? [];
    list.push({
      taskId: t.id,
      address: bare(address),
      nodeId: t.nodeId,
      healthy: isHealthyBackend(t),
    });
    backends.set(t.serviceId, list);
  }
  if (n.spec.ingress) {
    for (const node of nodes.values()) {
      if (node.status.state !== 'ready') continue;
      const address = node.attachments.find((a) => a.networkId === n.id)?.addresses[0];
      if (address === undefined) continue;
      endpoints.push({
        kind: 'ingress-sandbox',
        nodeId: node.id,
        nodeAddr: node.status.addr,
        address,
        mac: macOf(address),
      });
    }
  }

  const services: ServiceView[] = [];
  for (const s of allServices) {
    const vip = s.endpoint?.virtualIPs.find((v) => v.networkId === n.id)?.addr;
    const attached = s.spec.taskTemplate.networks.find((a) => a.target === n.id);
    if (vip === undefined && attached === undefined && !backends.has(s.id)) continue;
    const mode = s.spec.endpointSpec?.mode ?? 'vip';
    services.push({
      serviceId: s.id,
      name: s.spec.name,
      endpointMode: mode,
      ...(vip === undefined || mode !== 'vip' ? {} : { vip: bare(vip) }),
      aliases: [...(attached?.aliases ?? [])],
      ports: portsOf(s),
      backends: sortedBackends(backends.get(s.id) ?? []),
    });
  }
  services.sort(compareServices);
  return {
    ...networkHeader(n, alloc, dataPathPort),
    endpoints: sortedEndpoints(endpoints),
    services,
  };
}

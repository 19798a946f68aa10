// The NetworkAttacher for overlay networks: before a task's container is created, each network the
// task is attached to gets its copy in the node's engine (shoal driver, the cluster's subnet), and
// the container is created on it with the address the allocator assigned, so the driver wires it
// into the overlay when it starts, before its process runs (and, unless the network is internal,
// libnetwork joins it to docker_gwbridge for egress, made here on the shoal driver first). Tasks
// without networks get the fallback attacher's networking. Engine networks no task uses any more
// are removed on release.

import Dockerode from 'dockerode';
import type { Task } from '../../../api/objects/index.js';
import {
  EngineDefaultAttacher,
  type ContainerNetworking,
  type EndpointSettings,
  type NetworkAttacher,
} from '../../exec/network-attacher.js';
import { stripPrefix } from '../overlay/addresses.js';
import { KeyedQueue } from '../overlay/keyed-queue.js';
import { gatewayAddress, GATEWAY_SUBNET, normalizeSubnet } from '../overlay/gateway-bridge.js';
import { EngineNetworks, type GatewaySubnet } from './engine-networks.js';
import { DriverError } from './errors.js';
import type { NetworkCatalog } from './network-catalog.js';
import { DEFAULT_PLUGIN_NAME } from './network-plugin.js';
import { GATEWAY_NETWORK_NAME } from './protocol.js';

export interface OverlayAttacherOptions {
  /** The node's engine socket path. */
  readonly socketPath: string;
  readonly catalog: NetworkCatalog;
  /** The network plugin's name (default `shoal`). */
  readonly pluginName?: string;
  /** For tasks on no network (default: the engine's own default network). */
  readonly fallback?: NetworkAttacher;
  /** The node's gateway bridge subnet, as the network plugin runs it (default 172.18.0.0/16). */
  readonly gatewaySubnet?: string;
}

export class OverlayAttacher implements NetworkAttacher {
  readonly engine: EngineNetworks;
  private readonly catalog: NetworkCatalog;
  private readonly gateway: GatewaySubnet;
  private readonly fallback: NetworkAttacher;
  private readonly queue = new KeyedQueue();
  /** Network ID → tasks prepared on it and not yet released. */
  private readonly holders = new Map<string, Set<string>>();

  constructor(options: OverlayAttacherOptions) {
    const docker = new Dockerode({ socketPath: options.socketPath });
    const endpoint = `unix://${options.socketPath}`;
    this.engine = new EngineNetworks(docker, endpoint, options.pluginName ?? DEFAULT_PLUGIN_NAME);
    this.catalog = options.catalog;
    const subnet = normalizeSubnet(options.gatewaySubnet ?? GATEWAY_SUBNET);
    this.gateway = { subnet, gateway: gatewayAddress(subnet) };
    this.fallback = options.fallback ?? new EngineDefaultAttacher();
  }

  async prepare(task: Task, signal?: AbortSignal): Promise<ContainerNetworking> {
    if (task.networksAttachments.length === 0) return this.fallback.prepare(task, signal);
    const endpoints: EndpointSettings[] = [];
    for (const a of task.networksAttachments) {
      const address = a.addresses[0];
      if (address === undefined) {
        throw new DriverError(
          'ATTACH_UNKNOWN_NETWORK',
          `task ${task.id} has no address on network ${a.networkId} (the allocator assigns one before scheduling)`,
        );
      }
      const net = await this.catalog.network(a.networkId, signal);
      this.hold(net.id, task.id);
      // libnetwork joins the container to docker_gwbridge for egress: it must be shoal's.
      if (!net.internal)
        await this.queue.run(GATEWAY_NETWORK_NAME, () => this.engine.ensureGateway(this.gateway));
      const name = await this.queue.run(net.id, () => this.engine.ensure(net));
      endpoints.push({
        network: name,
        ipv4Address: stripPrefix(address),
        aliases: [...a.aliases],
        driverOpts: {},
      });
    }
    const first = endpoints[0];
    if (first === undefined) throw new Error('unreachable: a task with attachments has endpoints');
    return { networkMode: first.network, endpoints };
  }

  async release(task: Task): Promise<void> {
    if (task.networksAttachments.length === 0) return this.fallback.release(task);
    for (const a of task.networksAttachments) {
      const holders = this.holders.get(a.networkId);
      holders?.delete(task.id);
      if (holders !== undefined && holders.size > 0) continue;
      this.holders.delete(a.networkId);
      await this.queue.run(a.networkId, async () => {
        // A task prepared meanwhile holds it again.
        if ((this.holders.get(a.networkId)?.size ?? 0) === 0) await this.engine.removeIfUnused(a.networkId);
      });
    }
  }

  private hold(networkId: string, taskId: string): void {
    let set = this.holders.get(networkId);
    if (set === undefined) this.holders.set(networkId, (set = new Set()));
    set.add(taskId);
  }
}

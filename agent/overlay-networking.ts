// A node's overlay networking: the network plugin (bridge + VXLAN per network, Docker's remote
// driver, egress), the catalog the attacher reads when task containers are created, and the
// application of each network view the managers send (networks, remote endpoints, and the
// node's published ports: routing mesh and host mode).

import { join } from 'node:path';
import type { Logger } from 'pino';
import { MapNetworkCatalog } from './network/driver/network-catalog.js';
import { NetworkPlugin } from './network/driver/network-plugin.js';
import { OverlayAttacher } from './network/driver/overlay-attacher.js';
import type { NodeNetworkView } from '../api/network/network-view.js';
import { NodeCommands } from './network/overlay/host-commands.js';
import { RoutingMesh } from './routing-mesh.js';

export class OverlayNetworking {
  readonly attacher: OverlayAttacher;
  readonly mesh: RoutingMesh;
  private readonly plugin: NetworkPlugin;
  private readonly catalog: MapNetworkCatalog;
  private readonly logger: Logger;
  private known = new Set<string>();
  /** Remote endpoints in the networks' forwarding tables after the last view (for metrics). */
  private peers = 0;

  private constructor(
    plugin: NetworkPlugin,
    catalog: MapNetworkCatalog,
    attacher: OverlayAttacher,
    mesh: RoutingMesh,
    logger: Logger,
    private readonly nodeAddress: string,
  ) {
    this.mesh = mesh;
    this.plugin = plugin;
    this.catalog = catalog;
    this.attacher = attacher;
    this.logger = logger;
  }

  static async start(o: {
    nodeAddress: string;
    engineSocket: string;
    dataDir: string;
    logger: Logger;
  }): Promise<OverlayNetworking> {
    const commands = new NodeCommands();
    const plugin = await NetworkPlugin.start({
      nodeAddress: o.nodeAddress,
      commands,
      stateFile: join(o.dataDir, 'network', 'driver.json'),
      logger: o.logger,
    });
    const catalog = new MapNetworkCatalog();
    const attacher = new OverlayAttacher({ socketPath: o.engineSocket, catalog });
    const mesh = new RoutingMesh({
      dataPlane: plugin.dataPlane,
      commands,
      logger: o.logger,
    });
    const log = o.logger.child({ component: 'overlay' });
    return new OverlayNetworking(plugin, catalog, attacher, mesh, log, o.nodeAddress);
  }

  /**
   * Programs a network view: networks known to the attacher, remote endpoints in the FDB, then
   * the ingress sandbox and published ports.
   */
  async apply(view: NodeNetworkView): Promise<void> {
    const now = new Set<string>();
    let peers = 0;
    for (const n of view.networks) {
      for (const e of n.endpoints) if (e.nodeAddr !== this.nodeAddress) peers++;
      now.add(n.networkId);
      this.catalog.set({
        id: n.networkId,
        name: n.name,
        vni: n.vni,
        subnet: n.subnet,
        gateway: n.gateway,
        internal: n.internal,
        ...(n.mtu !== undefined ? { mtu: n.mtu } : {}),
        ...(n.dataPathPort !== undefined ? { dataPathPort: n.dataPathPort } : {}),
      });
      await this.plugin.dataPlane.setPeers(
        n.networkId,
        n.endpoints.map((e) => ({ address: e.address, mac: e.mac, nodeAddress: e.nodeAddr })),
      );
    }
    for (const id of this.known) {
      if (now.has(id)) continue;
      await this.plugin.dataPlane.forgetPeers(id);
      this.catalog.delete(id);
    }
    this.known = now;
    this.peers = peers;
    await this.mesh.apply(view);
    this.logger.debug({ networks: [...now] }, 'network view applied');
  }

  /** What the last network view programmed (for metrics). */
  programmed(): { readonly networks: number; readonly peers: number } {
    return { networks: this.known.size, peers: this.peers };
  }

  /** Daemon shutdown: devices stay for the next start (running containers keep working). */
  stop(): Promise<void> {
    return this.plugin.stop();
  }

  /** Leaving the swarm: everything shoal made for networking goes. */
  async teardown(): Promise<void> {
    await this.mesh.teardown();
    await this.attacher.engine.removeAll();
    await this.plugin.teardown();
  }
}

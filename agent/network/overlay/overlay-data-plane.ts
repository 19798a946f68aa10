// The overlay data plane of one node: its overlay networks (bridge + VXLAN each) and, for each
// network, the remote endpoints the cluster says exist, programmed as static forwarding entries.
// The peers of a network can be set before or after its devices exist: they are kept and
// programmed once the devices are there. Everything runs in the kernel; no packet passes through
// this process.

import type { Logger } from 'pino';
import { pino } from 'pino';
import { OverlayError } from './errors.js';
import { changeSize, desiredTable, type ForwardingChange, type RemoteEndpoint } from './forwarding.js';
import type { HostCommands } from './host-commands.js';
import { IpRoute } from './iproute.js';
import { KeyedQueue } from './keyed-queue.js';
import { ALIAS_PREFIX, parseAlias } from './link-names.js';
import { OverlayNetwork, VXLAN_PORT, type OverlayNetworkConfig } from './overlay-network.js';
import { detectUnderlay, overlayMtu, type Underlay } from './underlay.js';

export interface OverlayDataPlaneOptions {
  readonly commands: HostCommands;
  /** The node's underlay address (its advertise address); the interface and MTU are detected. */
  readonly nodeAddress: string;
  readonly logger?: Logger;
}

export class OverlayDataPlane {
  readonly ip: IpRoute;
  private readonly networks = new Map<string, OverlayNetwork>();
  private readonly peers = new Map<string, readonly RemoteEndpoint[]>();
  private readonly queue = new KeyedQueue();
  /** Networks the node itself holds (the ingress network, for the routing mesh): never removed
   * when their last task goes, only at teardown. */
  private readonly held = new Set<string>();

  private constructor(
    commands: HostCommands,
    readonly underlay: Underlay,
    private readonly log: Logger,
  ) {
    this.ip = new IpRoute(commands);
  }

  static async open(options: OverlayDataPlaneOptions): Promise<OverlayDataPlane> {
    const ip = new IpRoute(options.commands);
    const underlay = await detectUnderlay(ip, options.nodeAddress);
    const log = options.logger ?? pino({ level: 'silent' });
    log.info({ underlay, overlayMtu: overlayMtu(underlay) }, 'overlay data plane on the underlay');
    return new OverlayDataPlane(options.commands, underlay, log);
  }

  /** The MTU of overlay networks on this node (underlay MTU − 50) unless a network sets its own. */
  get mtu(): number {
    return overlayMtu(this.underlay);
  }

  /** Creates (or adopts) the network's devices and programs the peers known for it. */
  ensureNetwork(config: OverlayNetworkConfig): Promise<OverlayNetwork> {
    return this.queue.run(config.id, async () => {
      const existing = this.networks.get(config.id);
      if (existing !== undefined) {
        if (
          existing.config.vni === config.vni &&
          existing.config.mtu === config.mtu &&
          existing.port === (config.port ?? VXLAN_PORT)
        )
          return existing;
        throw new OverlayError(
          'OVERLAY_CONFLICT',
          `network ${config.id} is already set up with VNI ${existing.config.vni} and MTU ${existing.mtu}, ` +
            `not VNI ${config.vni} and MTU ${config.mtu ?? this.mtu}; remove it first`,
        );
      }
      const network = await OverlayNetwork.open(this.ip, this.underlay, config);
      this.networks.set(config.id, network);
      const change = await network.program(
        desiredTable(this.peers.get(config.id) ?? [], this.underlay.address),
      );
      this.log.info(
        { network: config.id, vni: config.vni, bridge: network.bridge, entries: changeSize(change) },
        'overlay network up',
      );
      return network;
    });
  }

  /**
   * The node takes part in the network itself, whether or not a task of it runs here: the
   * devices exist (and stay when the last task goes) and the node has `address` (CIDR) on the
   * bridge with `mac`. This is the routing mesh's ingress sandbox.
   */
  async holdNetwork(config: OverlayNetworkConfig, address: string, mac: string): Promise<void> {
    this.held.add(config.id);
    const network = await this.ensureNetwork(config);
    await this.queue.run(config.id, () => network.setLocalAddress(address, mac));
  }

  /** The node no longer holds the network: its address goes (the devices stay until teardown). */
  async releaseNetwork(networkId: string): Promise<void> {
    if (!this.held.delete(networkId)) return;
    const network = this.networks.get(networkId);
    if (network !== undefined) await this.queue.run(networkId, () => network.setLocalAddress(undefined));
  }

  network(id: string): OverlayNetwork | undefined {
    return this.networks.get(id);
  }

  networkIds(): string[] {
    return [...this.networks.keys()];
  }

  /**
   * Sets the endpoints of a network that the cluster knows (endpoints on this node are left out
   * by their node address). Programs only the difference from what is there; returns it, or
   * undefined when the network has no devices on this node yet (the set is kept for later).
   */
  setPeers(networkId: string, endpoints: Iterable<RemoteEndpoint>): Promise<ForwardingChange | undefined> {
    const list = [...endpoints];
    const desired = desiredTable(list, this.underlay.address); // validates before anything is kept
    return this.queue.run(networkId, async () => {
      this.peers.set(networkId, list);
      const network = this.networks.get(networkId);
      if (network === undefined) return undefined;
      const change = await network.program(desired);
      if (changeSize(change) > 0)
        this.log.debug({ network: networkId, entries: changeSize(change) }, 'peers programmed');
      return change;
    });
  }

  /** Forgets the network's peers (the network is gone from the cluster). */
  forgetPeers(networkId: string): Promise<void> {
    return this.queue.run(networkId, () => {
      this.peers.delete(networkId);
      return Promise.resolve();
    });
  }

  /** Removes the network's devices (the peers stay known, for when it comes back), unless held. */
  removeNetwork(networkId: string): Promise<void> {
    if (this.held.has(networkId)) return Promise.resolve();
    return this.queue.run(networkId, async () => {
      const network = this.networks.get(networkId);
      if (network === undefined) return;
      await network.destroy();
      this.networks.delete(networkId);
      this.log.info({ network: networkId }, 'overlay network down');
    });
  }

  /** Removes every overlay network shoal made on this node, including ones it no longer tracks. */
  async teardown(): Promise<void> {
    this.held.clear();
    for (const id of [...this.networks.keys()]) await this.removeNetwork(id);
    const left = (await this.ip.linksWithAlias(ALIAS_PREFIX)).filter(
      (l) => parseAlias(l.alias)?.kind === 'overlay',
    );
    // VXLAN devices first: deleting a bridge leaves its ports behind.
    left.sort((a, b) => Number(b.name.startsWith('vx-')) - Number(a.name.startsWith('vx-')));
    await this.ip.ip(
      left.map((l) => `link del ${l.name}`),
      { force: true },
    );
    this.peers.clear();
  }
}

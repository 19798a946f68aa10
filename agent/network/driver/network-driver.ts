// shoal's network driver, the logic behind Docker's remote driver protocol. dockerd creates a
// network → the overlay's bridge and VXLAN device; creates an endpoint → it gets its MAC; joins
// a container → a veth pair on the bridge, the container side handed back for dockerd to move
// in once the container's namespace exists; leaves and deletes → the veth goes again. For egress,
// an overlay endpoint of a non-internal network asks libnetwork for its gateway service, which
// joins the container to the engine's docker_gwbridge network: that network is served by this
// driver too, on the node's gateway bridge, and gives the container its default route. Addresses
// come from dockerd's IPAM, which honours the address the allocator chose for the task
// (EndpointSettings.IPAMConfig). Changes run one at a time; the state is saved after each.

import type { Logger } from 'pino';
import { pino } from 'pino';
import { cidrContains, macFromIpv4, normalizeMac, stripPrefix } from '../overlay/addresses.js';
import type { GatewayBridge } from '../overlay/gateway-bridge.js';
import { KeyedQueue } from '../overlay/keyed-queue.js';
import type { OverlayDataPlane } from '../overlay/overlay-data-plane.js';
import type { OverlayNetworkConfig } from '../overlay/overlay-network.js';
import type {
  DriverStateData,
  DriverStateStore,
  EndpointRecord,
  NetworkRecord,
  OverlayNetworkRecord,
} from './driver-state.js';
import { createEndpointLink, deleteEndpointLink } from './endpoint-links.js';
import { DriverError } from './errors.js';
import { networkSettings } from './network-settings.js';
import {
  OPT_MAC,
  type CreateEndpointRequest,
  type CreateEndpointResponse,
  type PluginCreateNetworkRequest,
  type EndpointRequest,
  type PluginJoinRequest,
  type JoinResponse,
  type NetworkRequest,
  type OperInfoResponse,
} from './protocol.js';

export interface NetworkDriverOptions {
  readonly dataPlane: OverlayDataPlane;
  readonly gateway: GatewayBridge;
  readonly state: DriverStateStore;
  readonly logger?: Logger;
}

function overlayConfig(n: OverlayNetworkRecord): OverlayNetworkConfig {
  return {
    id: n.clusterId,
    vni: n.vni,
    ...(n.mtu === undefined ? {} : { mtu: n.mtu }),
    ...(n.dataPathPort === undefined ? {} : { port: n.dataPathPort }),
  };
}

const empty = (v: string | null | undefined): v is null | undefined | '' =>
  v === undefined || v === null || v === '';

export class NetworkDriver {
  private readonly networks = new Map<string, NetworkRecord>();
  private readonly endpoints = new Map<string, EndpointRecord>();
  private readonly queue = new KeyedQueue();
  private readonly dataPlane: OverlayDataPlane;
  private readonly gateway: GatewayBridge;
  private readonly state: DriverStateStore;
  private readonly log: Logger;

  private constructor(options: NetworkDriverOptions) {
    this.dataPlane = options.dataPlane;
    this.gateway = options.gateway;
    this.state = options.state;
    this.log = options.logger ?? pino({ level: 'silent' });
  }

  /** Loads what an earlier run knew and brings its networks' devices back (adopting live ones). */
  static async open(options: NetworkDriverOptions): Promise<NetworkDriver> {
    const d = new NetworkDriver(options);
    const saved = await options.state.load();
    for (const n of saved.networks) d.networks.set(n.dockerId, n);
    for (const e of saved.endpoints) d.endpoints.set(e.id, e);
    for (const n of d.networks.values()) {
      if (n.kind === 'overlay') await d.dataPlane.ensureNetwork(overlayConfig(n));
    }
    return d;
  }

  createNetwork(req: PluginCreateNetworkRequest): Promise<void> {
    return this.exclusive(async () => {
      const n = networkSettings(req);
      if (n.kind === 'gateway') {
        const expected = `${this.gateway.subnet} with gateway ${this.gateway.gateway}`;
        if (
          n.subnet !== this.gateway.subnet ||
          (n.gateway !== undefined && n.gateway !== this.gateway.gateway)
        ) {
          throw new DriverError(
            'DRIVER_BAD_REQUEST',
            `the gateway network must have the gateway bridge's subnet ${expected}, not ${n.subnet}`,
          );
        }
      } else {
        await this.dataPlane.ensureNetwork(overlayConfig(n));
      }
      this.networks.set(n.dockerId, n);
      this.log.info({ ...n }, 'network created');
    });
  }

  deleteNetwork(req: NetworkRequest): Promise<void> {
    return this.exclusive(async () => {
      const n = this.networks.get(req.NetworkID);
      if (n === undefined) return;
      this.networks.delete(req.NetworkID);
      if (n.kind === 'overlay') {
        const stillUsed = [...this.networks.values()].some(
          (x) => x.kind === 'overlay' && x.clusterId === n.clusterId,
        );
        if (!stillUsed) await this.dataPlane.removeNetwork(n.clusterId);
      }
      this.log.info({ network: req.NetworkID }, 'network deleted');
    });
  }

  createEndpoint(req: CreateEndpointRequest): Promise<CreateEndpointResponse> {
    return this.exclusive(() => {
      const n = this.network(req.NetworkID);
      const address = req.Interface?.Address;
      if (empty(address)) {
        throw new DriverError(
          'DRIVER_BAD_REQUEST',
          `endpoint ${req.EndpointID} has no IPv4 address from IPAM`,
        );
      }
      if (!cidrContains(n.subnet, stripPrefix(address))) {
        throw new DriverError(
          'DRIVER_BAD_REQUEST',
          `address ${address} is outside the network's subnet ${n.subnet}`,
        );
      }
      const fromEngine = req.Interface?.MacAddress;
      const requested = req.Options?.[OPT_MAC];
      const mac = !empty(fromEngine)
        ? normalizeMac(fromEngine)
        : typeof requested === 'string'
          ? normalizeMac(requested)
          : macFromIpv4(stripPrefix(address));
      this.endpoints.set(req.EndpointID, {
        id: req.EndpointID,
        networkDockerId: req.NetworkID,
        address,
        mac,
      });
      // dockerd takes a MAC from the driver only when it did not set one itself.
      return Promise.resolve({ Interface: empty(fromEngine) ? { MacAddress: mac } : {} });
    });
  }

  deleteEndpoint(req: EndpointRequest): Promise<void> {
    return this.exclusive(async () => {
      if (!this.endpoints.has(req.EndpointID)) return;
      await deleteEndpointLink(this.dataPlane.ip, req.EndpointID);
      this.endpoints.delete(req.EndpointID);
    });
  }

  endpointOperInfo(req: EndpointRequest): Promise<OperInfoResponse> {
    const e = this.endpoints.get(req.EndpointID);
    return Promise.resolve({ Value: e === undefined ? {} : { address: e.address, mac: e.mac } });
  }

  join(req: PluginJoinRequest): Promise<JoinResponse> {
    return this.exclusive(async () => {
      const e = this.endpoints.get(req.EndpointID);
      if (e === undefined) {
        throw new DriverError(
          'DRIVER_UNKNOWN_ENDPOINT',
          `endpoint ${req.EndpointID} was not created through shoal`,
        );
      }
      const n = this.network(req.NetworkID);
      const port =
        n.kind === 'gateway'
          ? { bridge: this.gateway.name, mtu: this.gateway.mtu, isolated: true }
          : { ...(await this.overlayPort(n)), isolated: false };
      const srcName = await createEndpointLink(this.dataPlane.ip, { endpointId: e.id, mac: e.mac, ...port });
      this.log.debug({ endpoint: e.id, sandbox: req.SandboxKey, address: e.address }, 'endpoint joined');
      const iface = { SrcName: srcName, DstPrefix: 'eth' };
      if (n.kind === 'gateway') {
        return {
          InterfaceName: iface,
          Gateway: this.gateway.gateway,
          StaticRoutes: [],
          DisableGatewayService: true,
        };
      }
      // No gateway of its own: libnetwork adds the docker_gwbridge endpoint, unless internal.
      return { InterfaceName: iface, StaticRoutes: [], DisableGatewayService: n.internal };
    });
  }

  /** Nothing to undo at Leave: dockerd moves the interface back out; DeleteEndpoint removes it. */
  leave(req: EndpointRequest): Promise<void> {
    this.log.debug({ endpoint: req.EndpointID }, 'endpoint left');
    return Promise.resolve();
  }

  /** Removes every endpoint's links and forgets everything (teardown of the node's networking). */
  async removeAll(): Promise<void> {
    await this.exclusive(async () => {
      for (const e of this.endpoints.values()) await deleteEndpointLink(this.dataPlane.ip, e.id);
      this.endpoints.clear();
      this.networks.clear();
    });
  }

  /** Networks dockerd has created through this driver, by dockerd's ID. */
  get knownNetworks(): ReadonlyMap<string, NetworkRecord> {
    return this.networks;
  }

  get knownEndpoints(): ReadonlyMap<string, EndpointRecord> {
    return this.endpoints;
  }

  private network(dockerId: string): NetworkRecord {
    const n = this.networks.get(dockerId);
    if (n === undefined) {
      throw new DriverError(
        'DRIVER_UNKNOWN_NETWORK',
        `network ${dockerId} is not known to the shoal driver (was its state lost?); ` +
          'remove it from the engine (`docker network rm`) and shoal creates it again when a task needs it',
      );
    }
    return n;
  }

  private async overlayPort(n: OverlayNetworkRecord): Promise<{ bridge: string; mtu: number }> {
    const overlay =
      this.dataPlane.network(n.clusterId) ?? (await this.dataPlane.ensureNetwork(overlayConfig(n)));
    return { bridge: overlay.bridge, mtu: overlay.mtu };
  }

  /** Runs one change at a time and saves the state after it (also after a failed one). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run('driver', async () => {
      try {
        return await fn();
      } finally {
        await this.state.save(this.snapshot());
      }
    });
  }

  private snapshot(): DriverStateData {
    return { version: 1, networks: [...this.networks.values()], endpoints: [...this.endpoints.values()] };
  }
}

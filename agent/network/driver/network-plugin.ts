// A node's network plugin, put together: the overlay data plane on the node's underlay, the
// gateway bridge for egress, the driver, and its socket in the plugin directory dockerd scans.
// shoald starts one per node (plugin name `shoal`, /run/docker/plugins/shoal.sock); a test may
// run several, one per lab host, each with commands prefixed to enter that host.

import { join } from 'node:path';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { GatewayBridge } from '../overlay/gateway-bridge.js';
import { NodeCommands, type HostCommands } from '../overlay/host-commands.js';
import { ALIAS_PREFIX, parseAlias } from '../overlay/link-names.js';
import { OverlayDataPlane } from '../overlay/overlay-data-plane.js';
import { gatewayMtu } from '../overlay/underlay.js';
import { EMPTY_STATE, FileStateStore, MemoryStateStore, type DriverStateStore } from './driver-state.js';
import { driverRoutes } from './driver-routes.js';
import { NetworkDriver } from './network-driver.js';
import { PluginServer } from './plugin-server.js';

export const DEFAULT_PLUGIN_NAME = 'shoal';
export const DEFAULT_PLUGIN_DIR = '/run/docker/plugins';

export interface NetworkPluginOptions {
  /** The node's underlay address (its advertise address). */
  readonly nodeAddress: string;
  /** How commands reach the node's namespaces (default: this process's own). */
  readonly commands?: HostCommands;
  /** The driver name networks are created with (default `shoal`). */
  readonly pluginName?: string;
  /** Where dockerd looks for plugin sockets (default /run/docker/plugins). */
  readonly pluginDir?: string;
  /** Where the driver keeps its state across restarts (default: memory only). */
  readonly stateFile?: string;
  /** The gateway bridge's subnet (default 172.18.0.0/16). */
  readonly gatewaySubnet?: string;
  readonly logger?: Logger;
}

export class NetworkPlugin {
  private constructor(
    readonly name: string,
    readonly socketPath: string,
    readonly dataPlane: OverlayDataPlane,
    readonly gateway: GatewayBridge,
    readonly driver: NetworkDriver,
    private readonly server: PluginServer,
    private readonly state: DriverStateStore,
  ) {}

  static async start(options: NetworkPluginOptions): Promise<NetworkPlugin> {
    const log = options.logger ?? pino({ level: 'silent' });
    const commands = options.commands ?? new NodeCommands();
    const name = options.pluginName ?? DEFAULT_PLUGIN_NAME;
    const socketPath = join(options.pluginDir ?? DEFAULT_PLUGIN_DIR, `${name}.sock`);
    const dataPlane = await OverlayDataPlane.open({
      commands,
      nodeAddress: options.nodeAddress,
      logger: log,
    });
    const gateway = await GatewayBridge.open({
      commands,
      mtu: gatewayMtu(dataPlane.underlay),
      ...(options.gatewaySubnet === undefined ? {} : { subnet: options.gatewaySubnet }),
      logger: log,
    });
    const state =
      options.stateFile === undefined ? new MemoryStateStore() : new FileStateStore(options.stateFile);
    const driver = await NetworkDriver.open({ dataPlane, gateway, state, logger: log });
    const server = new PluginServer(driverRoutes(driver), log);
    await server.listen(socketPath);
    log.info({ plugin: name, socket: socketPath }, 'network plugin listening');
    return new NetworkPlugin(name, socketPath, dataPlane, gateway, driver, server, state);
  }

  /** Stops serving dockerd; the networks stay as they are (running tasks keep their network). */
  async stop(): Promise<void> {
    await this.server.close();
  }

  /**
   * Stops and removes everything shoal made on the node: endpoint veths, overlay
   * bridges and VXLAN devices, the gateway bridge and its NAT table, and the saved state. Links
   * are found by shoal's alias as well, so leftovers of an earlier run go too.
   */
  async teardown(): Promise<void> {
    await this.stop();
    await this.driver.removeAll();
    await this.dataPlane.teardown();
    await this.gateway.teardown();
    const ip = this.dataPlane.ip;
    const left = (await ip.linksWithAlias(ALIAS_PREFIX)).filter((l) => {
      const kind = parseAlias(l.alias)?.kind;
      return kind === 'endpoint';
    });
    await ip.ip(
      left.map((l) => `link del ${l.name}`),
      { force: true },
    );
    await this.state.save(EMPTY_STATE);
  }
}

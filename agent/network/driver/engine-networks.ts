// The node engine's copy of each cluster network a local task uses: a network created on demand
// with the shoal driver, the cluster's subnet and gateway (so dockerd's IPAM hands out exactly the
// addresses the allocator chose), and the network's ID and VNI as driver options; removed again
// when no container uses it. Also the engine's docker_gwbridge network, which libnetwork joins
// every container to for egress, served by the shoal driver on the node's gateway bridge. Found
// by label, so an agent restart finds the ones it made.

import type Dockerode from 'dockerode';
import { statusOf, toExecError } from '../../exec/docker/engine-errors.js';
import { DriverError } from './errors.js';
import type { AttachableNetwork } from './network-catalog.js';
import {
  GATEWAY_NETWORK_NAME,
  OPT_GATEWAY,
  OPT_INTERNAL,
  OPT_DATA_PATH_PORT,
  OPT_MTU,
  OPT_NETWORK_ID,
  OPT_VNI,
} from './protocol.js';

/** The gateway bridge's subnet and address, as the node's network plugin runs it. */
export interface GatewaySubnet {
  readonly subnet: string;
  readonly gateway: string;
}

export class EngineNetworks {
  constructor(
    private readonly docker: Dockerode,
    /** The engine's socket, for messages. */
    private readonly endpoint: string,
    private readonly pluginName: string,
  ) {}

  /** The engine's network for `net` (created if missing, recreated if stale); returns its name. */
  async ensure(net: AttachableNetwork): Promise<string> {
    for (const found of await this.list(net.id)) {
      if (this.matches(found, net)) return found.Name;
      // The cluster network changed under the same ID (or an old copy lingers): replace it.
      await this.remove(found.Id, `replacing stale network ${found.Name}`);
    }
    const gateway = net.gateway === undefined ? {} : { Gateway: net.gateway };
    try {
      await this.docker.createNetwork({
        Name: net.name,
        Driver: this.pluginName,
        CheckDuplicate: true,
        Internal: net.internal,
        Attachable: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: net.subnet, ...gateway }], Options: {} },
        Options: {
          [OPT_NETWORK_ID]: net.id,
          [OPT_VNI]: String(net.vni),
          [OPT_INTERNAL]: String(net.internal),
          ...(net.mtu === undefined ? {} : { [OPT_MTU]: String(net.mtu) }),
          ...(net.dataPathPort === undefined ? {} : { [OPT_DATA_PATH_PORT]: String(net.dataPathPort) }),
        },
        Labels: { [OPT_NETWORK_ID]: net.id },
      });
    } catch (e: unknown) {
      if (statusOf(e) === 409) {
        throw new DriverError(
          'ATTACH_NAME_CONFLICT',
          `the engine at ${this.endpoint} already has a network named ${net.name} that shoal did not make; ` +
            'rename or remove it (`docker network rm`) so shoal can create the cluster network there',
        );
      }
      throw toExecError(`creating network ${net.name}`, this.endpoint, e);
    }
    return net.name;
  }

  /**
   * The engine's docker_gwbridge network on the shoal driver. One made by someone else (Docker's
   * own bridge driver, from an earlier swarm) is left alone: egress then goes through it.
   */
  async ensureGateway(g: GatewaySubnet): Promise<void> {
    const found = (await this.listBy({ name: [GATEWAY_NETWORK_NAME] })).filter(
      (n) => n.Name === GATEWAY_NETWORK_NAME,
    );
    for (const n of found) {
      if (n.Driver !== this.pluginName) return;
      const config = n.IPAM?.Config?.[0];
      if (config?.Subnet === g.subnet && config.Gateway === g.gateway) return;
      await this.remove(n.Id, `replacing ${GATEWAY_NETWORK_NAME} (subnet ${config?.Subnet ?? 'none'})`);
    }
    try {
      await this.docker.createNetwork({
        Name: GATEWAY_NETWORK_NAME,
        Driver: this.pluginName,
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: g.subnet, Gateway: g.gateway }], Options: {} },
        Options: { [OPT_GATEWAY]: 'true' },
        Labels: { [OPT_GATEWAY]: 'true' },
      });
    } catch (e: unknown) {
      if (statusOf(e) === 409) return; // made meanwhile
      throw toExecError(`creating network ${GATEWAY_NETWORK_NAME}`, this.endpoint, e);
    }
  }

  /** Removes the engine's copy of the network if no container is attached; says whether it did. */
  async removeIfUnused(networkId: string): Promise<boolean> {
    let removed = false;
    for (const found of await this.list(networkId)) {
      let info: Dockerode.NetworkInspectInfo;
      try {
        info = await this.docker.getNetwork(found.Id).inspect();
      } catch (e: unknown) {
        if (statusOf(e) === 404) continue;
        throw toExecError(`inspecting network ${found.Name}`, this.endpoint, e);
      }
      if (Object.keys(info.Containers ?? {}).length > 0) continue;
      removed = (await this.remove(found.Id, `removing network ${found.Name}`)) || removed;
    }
    return removed;
  }

  /** Removes every network shoal made in the engine, docker_gwbridge too (their containers must be gone). */
  async removeAll(): Promise<void> {
    const made = [...(await this.list(undefined)), ...(await this.listBy({ label: [OPT_GATEWAY] }))];
    for (const n of made) await this.remove(n.Id, `removing network ${n.Name}`);
  }

  private list(networkId: string | undefined): Promise<Dockerode.NetworkInspectInfo[]> {
    return this.listBy({
      label: [networkId === undefined ? OPT_NETWORK_ID : `${OPT_NETWORK_ID}=${networkId}`],
    });
  }

  private async listBy(filters: Record<string, string[]>): Promise<Dockerode.NetworkInspectInfo[]> {
    try {
      return await this.docker.listNetworks({ filters });
    } catch (e: unknown) {
      throw toExecError('listing networks', this.endpoint, e);
    }
  }

  private matches(found: Dockerode.NetworkInspectInfo, net: AttachableNetwork): boolean {
    const config = found.IPAM?.Config?.[0];
    return (
      found.Driver === this.pluginName &&
      found.Name === net.name &&
      found.Options?.[OPT_VNI] === String(net.vni) &&
      found.Internal === net.internal &&
      found.Options[OPT_MTU] === (net.mtu === undefined ? undefined : String(net.mtu)) &&
      found.Options[OPT_DATA_PATH_PORT] ===
        (net.dataPathPort === undefined ? undefined : String(net.dataPathPort)) &&
      config?.Subnet === net.subnet &&
      (net.gateway === undefined || config.Gateway === net.gateway)
    );
  }

  private async remove(id: string, operation: string): Promise<boolean> {
    try {
      await this.docker.getNetwork(id).remove();
      return true;
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status === 404) return false;
      // 403: a container joined meanwhile; it keeps the network.
      if (status === 403) return false;
      throw toExecError(operation, this.endpoint, e);
    }
  }
}

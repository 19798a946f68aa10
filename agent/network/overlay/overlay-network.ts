// One overlay network on one node: a Linux bridge and a VXLAN device (the network's VNI, the
// cluster's UDP port, Docker's 4789 unless `swarm init --data-path-port` chose another, no learning, answering ARP from its static neighbour table) attached to it, both with the
// overlay MTU, plus the static forwarding entries for the network's remote endpoints. Endpoint
// veths are plugged into the bridge by the driver. Creating adopts devices that already match
// (after an agent restart), reading back what forwarding they hold.

import { OverlayError } from './errors.js';
import {
  applyChange,
  changeSize,
  diffForwarding,
  EMPTY_TABLE,
  forwardingCommands,
  parseKernelTable,
  type ForwardingChange,
  type ForwardingTable,
} from './forwarding.js';
import type { IpRoute, JsonRecord } from './iproute.js';
import { linkAlias, overlayBridgeName, vxlanName } from './link-names.js';
import { overlayMtu, type Underlay } from './underlay.js';

export const VXLAN_PORT = 4789;

export interface OverlayNetworkConfig {
  /** The cluster's network ID (names the devices). */
  readonly id: string;
  /** VXLAN network identifier, 1..16777215. */
  readonly vni: number;
  /** The MTU the user asked for (Docker's com.docker.network.driver.mtu); default underlay − 50. */
  readonly mtu?: number;
  /** The VXLAN UDP port (the cluster's data path port); default 4789. */
  readonly port?: number;
}

function linkInfo(l: JsonRecord): { kind?: unknown; data?: Record<string, unknown> } {
  const info = l['linkinfo'];
  if (typeof info !== 'object' || info === null) return {};
  const r = info as Record<string, unknown>;
  const data = r['info_data'];
  return {
    kind: r['info_kind'],
    ...(typeof data === 'object' && data !== null ? { data: data as Record<string, unknown> } : {}),
  };
}

export class OverlayNetwork {
  readonly bridge: string;
  readonly vxlan: string;
  readonly mtu: number;
  /** The VXLAN device's UDP port. */
  readonly port: number;
  private programmed: ForwardingTable = EMPTY_TABLE;
  /** The node's own address on the bridge (the ingress network's sandbox address), if any. */
  private local: string | undefined;
  /** The bridge's MAC as last set or read back. */
  private localMac: string | undefined;

  private constructor(
    private readonly ip: IpRoute,
    readonly config: OverlayNetworkConfig,
    readonly underlay: Underlay,
  ) {
    this.bridge = overlayBridgeName(config.id);
    this.vxlan = vxlanName(config.id);
    this.mtu = config.mtu ?? overlayMtu(underlay);
    this.port = config.port ?? VXLAN_PORT;
  }

  /** Creates the devices, or adopts them if they exist with the same VNI, underlay, port and MTU. */
  static async open(ip: IpRoute, underlay: Underlay, config: OverlayNetworkConfig): Promise<OverlayNetwork> {
    if (!Number.isInteger(config.vni) || config.vni < 1 || config.vni > 0xffffff) {
      throw new OverlayError(
        'OVERLAY_BAD_CONFIG',
        `network ${config.id}: VNI ${config.vni} is outside 1..16777215`,
      );
    }
    if (
      config.mtu !== undefined &&
      !(Number.isInteger(config.mtu) && config.mtu >= 68 && config.mtu <= 65535)
    ) {
      throw new OverlayError(
        'OVERLAY_BAD_CONFIG',
        `network ${config.id}: MTU ${config.mtu} is outside 68..65535`,
      );
    }
    if (
      config.port !== undefined &&
      !(Number.isInteger(config.port) && config.port >= 1 && config.port <= 65535)
    ) {
      throw new OverlayError(
        'OVERLAY_BAD_CONFIG',
        `network ${config.id}: VXLAN port ${config.port} is outside 1..65535`,
      );
    }
    const n = new OverlayNetwork(ip, config, underlay);
    if (await n.adopt()) return n;
    await n.removeDevices();
    const alias = linkAlias('overlay', config.id);
    await ip.ip([
      `link add ${n.bridge} mtu ${n.mtu} type bridge stp_state 0 forward_delay 0 mcast_snooping 0`,
      `link set ${n.bridge} alias ${alias}`,
      `link add ${n.vxlan} mtu ${n.mtu} type vxlan id ${config.vni} local ${underlay.address} dev ${underlay.iface} ` +
        `dstport ${n.port} nolearning proxy`,
      `link set ${n.vxlan} alias ${alias}`,
      `link set ${n.vxlan} master ${n.bridge}`,
      `link set ${n.vxlan} up`,
      `link set ${n.bridge} up`,
    ]);
    return n;
  }

  /** The forwarding the kernel holds (as last programmed or read back). */
  get table(): ForwardingTable {
    return this.programmed;
  }

  /**
   * Brings the kernel's forwarding to `desired`, touching only the entries that differ. If a
   * batch fails (someone changed the entries behind shoal's back), the kernel's table is read
   * back and the remaining difference applied once more.
   */
  async program(desired: ForwardingTable): Promise<ForwardingChange> {
    const change = diffForwarding(this.programmed, desired);
    if (changeSize(change) === 0) return change;
    try {
      await this.send(change);
      this.programmed = applyChange(this.programmed, change);
    } catch {
      this.programmed = await this.readKernelTable();
      const rest = diffForwarding(this.programmed, desired);
      await this.send(rest);
      this.programmed = applyChange(this.programmed, rest);
    }
    return change;
  }

  /** Reads the forwarding entries the kernel holds for this network's VXLAN device. */
  async readKernelTable(): Promise<ForwardingTable> {
    const neigh = (await this.ip.ipJsonText(['neigh', 'show', 'dev', this.vxlan])) ?? '[]';
    const fdb = (await this.ip.bridgeJsonText(['fdb', 'show', 'dev', this.vxlan])) ?? '[]';
    return parseKernelTable(neigh, fdb);
  }

  /**
   * Gives the node an address on the network's bridge, with the MAC the cluster derives from it
   * (other nodes' forwarding entries name that MAC), or takes it away (undefined). This is how
   * the ingress network's sandbox lives in the node's own namespace: routing-mesh connections
   * leave the node from this address and their answers come back to it. Idempotent: after a
   * restart the address read back from the bridge is kept as it is (no gap in the mesh).
   */
  async setLocalAddress(address: string | undefined, mac?: string): Promise<void> {
    if (address === this.local && (address === undefined || mac === this.localMac)) return;
    const lines = [`addr flush dev ${this.bridge}`];
    if (address !== undefined) {
      if (mac === undefined) {
        throw new OverlayError('OVERLAY_BAD_CONFIG', `network ${this.config.id}: ${address} needs a MAC`);
      }
      lines.push(`link set ${this.bridge} address ${mac}`, `addr add ${address} dev ${this.bridge}`);
    }
    await this.ip.ip(lines);
    this.local = address;
    this.localMac = address === undefined ? undefined : mac;
  }

  /** Removes the bridge and the VXLAN device (and with them every forwarding entry). */
  async destroy(): Promise<void> {
    await this.removeDevices();
    this.programmed = EMPTY_TABLE;
    this.local = undefined;
    this.localMac = undefined;
  }

  private async send(change: ForwardingChange): Promise<void> {
    const batches = forwardingCommands(this.vxlan, change);
    // Both run to the end (-force) so one stale entry does not block the rest; either failing rejects.
    const results = await Promise.allSettled([
      this.ip.bridge(batches.bridge, { force: true }),
      this.ip.ip(batches.ip, { force: true }),
    ]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  private async adopt(): Promise<boolean> {
    const vx = (await this.ip.ipJsonText(['-d', 'link', 'show', 'dev', this.vxlan])) ?? '';
    const br = (await this.ip.ipJsonText(['-d', 'link', 'show', 'dev', this.bridge])) ?? '';
    if (vx === '' || br === '') return false;
    const [v] = JSON.parse(vx) as JsonRecord[];
    const [b] = JSON.parse(br) as JsonRecord[];
    if (!v || !b) return false;
    const vi = linkInfo(v);
    const matches =
      vi.kind === 'vxlan' &&
      vi.data?.['id'] === this.config.vni &&
      vi.data['local'] === this.underlay.address &&
      vi.data['port'] === this.port &&
      v['mtu'] === this.mtu &&
      v['master'] === this.bridge &&
      linkInfo(b).kind === 'bridge';
    if (!matches) return false;
    this.programmed = await this.readKernelTable();
    await this.readLocalAddress(b);
    return true;
  }

  /** The node's address on an adopted bridge, if it has exactly one IPv4 address. */
  private async readLocalAddress(bridge: JsonRecord): Promise<void> {
    const text = await this.ip.ipJsonText(['-4', 'addr', 'show', 'dev', this.bridge]);
    const [link] = JSON.parse(text ?? '[]') as { addr_info?: { local?: string; prefixlen?: number }[] }[];
    const addrs = link?.addr_info ?? [];
    const only = addrs.length === 1 ? addrs[0] : undefined;
    const mac = bridge['address'];
    if (only?.local !== undefined && only.prefixlen !== undefined && typeof mac === 'string') {
      this.local = `${only.local}/${only.prefixlen}`;
      this.localMac = mac;
    }
  }

  private async removeDevices(): Promise<void> {
    const present: string[] = [];
    for (const name of [this.vxlan, this.bridge]) if (await this.ip.linkExists(name)) present.push(name);
    await this.ip.ip(present.map((name) => `link del ${name}`));
  }
}

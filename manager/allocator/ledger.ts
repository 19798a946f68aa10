// Everything the allocator has handed out, in memory, rebuilt from the store objects that
// record it (a new leader calls `AllocationLedger.fromStore`): each allocated network's subnet,
// VNI and address pool, the virtual IPs and ingress ports of services, the addresses of live
// tasks and of nodes' ingress sandboxes. Nothing lives only here: the store is the record.

import type { ReadTx } from '../store/read-tx.js';
import { AddressPool } from './address-pool.js';
import { parseIpamConfig, type NetworkAddressing } from './ipam-config.js';
import { parseCidrAddress, type Cidr } from '../../api/network/ipv4.js';
import { PublishedPorts } from './published-ports.js';
import { isTaskDead } from './task-liveness.js';
import { pickVni, vniOf, VNI_START } from './vni.js';

/** Who holds an address: a task, a service's virtual IP, or a node's ingress sandbox. */
export const ownerOfTask = (id: string): string => `task:${id}`;
export const ownerOfVip = (serviceId: string): string => `vip:${serviceId}`;
export const ownerOfNode = (id: string): string => `node:${id}`;

/** What the allocator handed one network: its addressing, VNI and address pool. */
export interface AllocatedNetwork {
  readonly networkId: string;
  readonly addressing: NetworkAddressing;
  readonly vni: number;
  readonly pool: AddressPool;
}

/** An address written "a.b.c.d/n" as its integer, if it is one. */
export function addressIp(text: string): number | undefined {
  return parseCidrAddress(text)?.ip;
}

export class AllocationLedger {
  readonly ports = new PublishedPorts();
  readonly #networks = new Map<string, AllocatedNetwork>();
  readonly #vnis = new Map<number, string>();
  #lastVni = VNI_START - 1;

  network(id: string): AllocatedNetwork | undefined {
    return this.#networks.get(id);
  }

  /** Subnets of every allocated network. */
  subnets(): Cidr[] {
    return [...this.#networks.values()].map((n) => n.addressing.subnet);
  }

  /** The next VNI to give a network (not yet recorded: `addNetwork` does that). */
  nextVni(): number {
    return pickVni(new Set(this.#vnis.keys()), this.#lastVni);
  }

  /** Records an allocated network; undefined if its VNI belongs to another network. */
  addNetwork(networkId: string, addressing: NetworkAddressing, vni: number): AllocatedNetwork | undefined {
    const holder = this.#vnis.get(vni);
    if (holder !== undefined && holder !== networkId) return undefined;
    this.removeNetwork(networkId);
    const entry = { networkId, addressing, vni, pool: new AddressPool(networkId, addressing) };
    this.#networks.set(networkId, entry);
    this.#vnis.set(vni, networkId);
    if (vni > this.#lastVni) this.#lastVni = vni;
    return entry;
  }

  /** Forgets a network and every address on it. */
  removeNetwork(networkId: string): void {
    const entry = this.#networks.get(networkId);
    if (entry === undefined) return;
    this.#networks.delete(networkId);
    this.#vnis.delete(entry.vni);
  }

  /** Records that `owner` holds `address` ("a.b.c.d/n") on the network. */
  reserve(networkId: string, address: string, owner: string): boolean {
    const ip = addressIp(address);
    const pool = this.#networks.get(networkId)?.pool;
    return ip !== undefined && pool !== undefined && pool.reserve(ip, owner);
  }

  /** Frees `address` on the network if `owner` holds it. */
  release(networkId: string, address: string, owner: string): boolean {
    const ip = addressIp(address);
    const pool = this.#networks.get(networkId)?.pool;
    return ip !== undefined && pool !== undefined && pool.release(ip, owner);
  }

  /**
   * Rebuilds the ledger from the store. `onClash` hears of an object whose recorded allocation
   * another object already holds (the first one read keeps it).
   */
  static fromStore(
    tx: Pick<ReadTx, 'list'>,
    onClash: (what: string) => void = () => undefined,
  ): AllocationLedger {
    const ledger = new AllocationLedger();
    for (const n of tx.list('networks')) {
      const config = n.ipam?.configs[0];
      const vni = vniOf(n.driverState?.options);
      if (config === undefined || vni === undefined) continue;
      let addressing: NetworkAddressing;
      try {
        addressing = parseIpamConfig(config);
      } catch {
        onClash(`network ${n.id} records an unusable subnet ${config.subnet}`);
        continue;
      }
      if (ledger.addNetwork(n.id, addressing, vni) === undefined) onClash(`network ${n.id} VNI ${vni}`);
    }
    for (const s of tx.list('services')) {
      for (const v of s.endpoint?.virtualIPs ?? []) {
        if (!ledger.reserve(v.networkId, v.addr, ownerOfVip(s.id)) && ledger.network(v.networkId)) {
          onClash(`service ${s.id} virtual IP ${v.addr}`);
        }
      }
      for (const p of s.endpoint?.ports ?? []) {
        if (p.publishMode !== 'ingress' || p.publishedPort === 0) continue;
        if (!ledger.ports.reserve(p.protocol, p.publishedPort, s.id)) {
          onClash(`service ${s.id} port ${p.publishedPort}/${p.protocol}`);
        }
      }
    }
    for (const t of tx.list('tasks')) {
      if (isTaskDead(t)) continue;
      for (const a of t.networksAttachments) {
        for (const address of a.addresses) {
          if (!ledger.reserve(a.networkId, address, ownerOfTask(t.id)) && ledger.network(a.networkId)) {
            onClash(`task ${t.id} address ${address}`);
          }
        }
      }
    }
    for (const node of tx.list('nodes')) {
      for (const a of node.attachments) {
        for (const address of a.addresses) {
          if (!ledger.reserve(a.networkId, address, ownerOfNode(node.id)) && ledger.network(a.networkId)) {
            onClash(`node ${node.id} address ${address}`);
          }
        }
      }
    }
    return ledger;
  }
}

// The addresses of one network: who holds each (a task, a service's virtual IP, a node's
// ingress sandbox) and the next to hand out. Addresses come from the range (the --ip-range, or
// the subnet), never the network, gateway or broadcast address, and are handed out serially
// (the next after the last one given, wrapping), so a freed address is reused only after the
// others, as libnetwork's serial allocation for swarm networks does.

import { AddressesExhaustedError } from './errors.js';
import type { NetworkAddressing } from './ipam-config.js';
import { cidrContains, cidrLast, type Cidr } from '../../api/network/ipv4.js';

export class AddressPool {
  readonly networkId: string;
  readonly subnet: Cidr;
  readonly gateway: number;
  readonly #first: number;
  readonly #last: number;
  readonly #owners = new Map<number, string>();
  /** The last address handed out or found in use (serial allocation continues after it). */
  #cursor: number;

  constructor(networkId: string, a: NetworkAddressing) {
    this.networkId = networkId;
    this.subnet = a.subnet;
    this.gateway = a.gateway;
    // Never the network address or the broadcast address of the subnet.
    this.#first = Math.max(a.range.base, a.subnet.base + 1);
    this.#last = Math.min(cidrLast(a.range), cidrLast(a.subnet) - 1);
    this.#cursor = this.#first - 1;
  }

  /** Addresses held (the gateway not counted). */
  get used(): number {
    return this.#owners.size;
  }

  ownerOf(ip: number): string | undefined {
    return this.#owners.get(ip);
  }

  /**
   * Records that `owner` holds `ip` (rebuilding from the store, or a user's fixed address).
   * False if the address is not usable on this subnet or someone else holds it.
   */
  reserve(ip: number, owner: string): boolean {
    if (!cidrContains(this.subnet, ip) || ip === this.subnet.base || ip === cidrLast(this.subnet))
      return false;
    if (ip === this.gateway) return false;
    const holder = this.#owners.get(ip);
    if (holder !== undefined) return holder === owner;
    this.#owners.set(ip, owner);
    if (ip >= this.#first && ip <= this.#last && ip > this.#cursor) this.#cursor = ip;
    return true;
  }

  /** Hands the next free address of the range to `owner`. */
  allocate(owner: string): number {
    const span = this.#last - this.#first + 1;
    for (let i = 1; i <= span; i++) {
      const ip = this.#first + ((this.#cursor - this.#first + i) % span);
      if (ip === this.gateway || this.#owners.has(ip)) continue;
      this.#owners.set(ip, owner);
      this.#cursor = ip;
      return ip;
    }
    throw new AddressesExhaustedError(this.networkId);
  }

  /** Frees `ip` if `owner` holds it; true if it did. */
  release(ip: number, owner: string): boolean {
    if (this.#owners.get(ip) !== owner) return false;
    this.#owners.delete(ip);
    return true;
  }
}

// What a node knows of the cluster's networks, as far as attaching a task needs: the attacher
// asks the catalog for each network a task is attached to. The agent fills it from its
// assignments (the network view); a network it has not heard of yet is waited for, bounded.

import { DriverError } from './errors.js';

/** A cluster network as the node needs it to attach tasks. */
export interface AttachableNetwork {
  /** The cluster's network ID. */
  readonly id: string;
  /** Its name (also its name in the node's engine, as Swarm shows it in `docker network ls`). */
  readonly name: string;
  readonly vni: number;
  /** IPv4 subnet (CIDR) and gateway address, as the allocator assigned them. */
  readonly subnet: string;
  readonly gateway?: string;
  /** No egress for its tasks. */
  readonly internal: boolean;
  /** The MTU the user chose for it (default: the node's underlay MTU − 50). */
  readonly mtu?: number;
  /** The cluster's VXLAN UDP port, when not 4789. */
  readonly dataPathPort?: number;
}

export interface NetworkCatalog {
  /** The network's definition; waits for it until the signal aborts (or a bound passes). */
  network(id: string, signal?: AbortSignal): Promise<AttachableNetwork>;
}

/** A catalog the agent keeps up to date with set()/delete(). */
export class MapNetworkCatalog implements NetworkCatalog {
  private readonly networks = new Map<string, AttachableNetwork>();
  private readonly waiters = new Map<string, Set<(n: AttachableNetwork) => void>>();

  /** @param waitMs how long network() waits for an unknown network before failing. */
  constructor(private readonly waitMs = 10_000) {}

  set(network: AttachableNetwork): void {
    this.networks.set(network.id, network);
    const waiting = this.waiters.get(network.id);
    this.waiters.delete(network.id);
    for (const w of waiting ?? []) w(network);
  }

  delete(id: string): void {
    this.networks.delete(id);
  }

  get(id: string): AttachableNetwork | undefined {
    return this.networks.get(id);
  }

  network(id: string, signal?: AbortSignal): Promise<AttachableNetwork> {
    const known = this.networks.get(id);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        this.waiters.get(id)?.delete(found);
      };
      const found = (n: AttachableNetwork): void => {
        done();
        resolve(n);
      };
      const fail = (why: string): void => {
        done();
        reject(new DriverError('ATTACH_UNKNOWN_NETWORK', `network ${id} is not known to this node ${why}`));
      };
      const aborted = (): void => fail('(the task was cancelled while waiting for it)');
      const timer = setTimeout(
        () => fail(`after ${this.waitMs} ms; is it still in the cluster?`),
        this.waitMs,
      );
      signal?.addEventListener('abort', aborted, { once: true });
      let set = this.waiters.get(id);
      if (set === undefined) this.waiters.set(id, (set = new Set()));
      set.add(found);
    });
  }
}

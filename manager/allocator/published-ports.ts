// Published ports of the routing mesh: which service holds each ingress port cluster-wide, and
// the ports chosen for services that publish without a number (Swarm's dynamic range
// 30000-32767, handed out serially). Host-mode ports hold nothing cluster-wide: they bind only
// on the nodes their tasks run on, and the scheduler keeps those apart.

import type { PortConfig, PortProtocol } from '../../api/objects/index.js';
import { DynamicPortsExhaustedError, PortInUseError } from './errors.js';

export const DYNAMIC_PORT_START = 30000;
export const DYNAMIC_PORT_END = 32767;

/** One published port: the protocol and the port number. */
export interface PortKey {
  readonly protocol: PortProtocol;
  readonly port: number;
}

const keyOf = (protocol: string, port: number): string => `${protocol}/${port}`;

export class PublishedPorts {
  readonly #owners = new Map<string, string>();
  readonly #cursor = new Map<string, number>();

  ownerOf(protocol: string, port: number): string | undefined {
    return this.#owners.get(keyOf(protocol, port));
  }

  /** Records that service `owner` holds the port; false if another service does. */
  reserve(protocol: string, port: number, owner: string): boolean {
    const key = keyOf(protocol, port);
    const holder = this.#owners.get(key);
    if (holder !== undefined) return holder === owner;
    this.#owners.set(key, owner);
    if (port >= DYNAMIC_PORT_START && port <= DYNAMIC_PORT_END && port > (this.#cursor.get(protocol) ?? 0)) {
      this.#cursor.set(protocol, port);
    }
    return true;
  }

  /** The next free port of the dynamic range for `owner`. */
  allocateDynamic(protocol: PortProtocol, owner: string): number {
    const span = DYNAMIC_PORT_END - DYNAMIC_PORT_START + 1;
    const last = this.#cursor.get(protocol) ?? DYNAMIC_PORT_START - 1;
    for (let i = 1; i <= span; i++) {
      const port = DYNAMIC_PORT_START + ((last - DYNAMIC_PORT_START + i) % span);
      const key = keyOf(protocol, port);
      if (this.#owners.has(key)) continue;
      this.#owners.set(key, owner);
      this.#cursor.set(protocol, port);
      return port;
    }
    throw new DynamicPortsExhaustedError(protocol);
  }

  /** Frees the port if `owner` holds it. */
  release(protocol: string, port: number, owner: string): boolean {
    const key = keyOf(protocol, port);
    if (this.#owners.get(key) !== owner) return false;
    this.#owners.delete(key);
    return true;
  }
}

export interface PortPlan {
  /** The service's ports with every ingress port numbered (Endpoint.Ports). */
  readonly ports: PortConfig[];
  /** Ingress ports the service held before and no longer publishes: free them once written. */
  readonly releases: PortKey[];
}

const samePort = (a: PortConfig, b: PortConfig): boolean =>
  a.protocol === b.protocol && a.targetPort === b.targetPort && (a.name ?? '') === (b.name ?? '');

/**
 * Numbers the ingress ports of a service's spec. A port published without a number keeps the
 * one it had (`previous`, the allocated Endpoint.Ports) or gets the next dynamic one; a
 * numbered port must be free or already the service's. New reservations are made in `ledger`
 * (undone if the plan fails); ports the service gives up are returned, not freed.
 */
export function planPorts(
  ledger: PublishedPorts,
  serviceId: string,
  spec: readonly PortConfig[],
  previous: readonly PortConfig[],
): PortPlan {
  const made: PortKey[] = [];
  const reserve = (protocol: PortProtocol, port: number): void => {
    const free = ledger.ownerOf(protocol, port) === undefined;
    if (!ledger.reserve(protocol, port, serviceId)) {
      throw new PortInUseError(port, protocol, ledger.ownerOf(protocol, port) ?? '');
    }
    if (free) made.push({ protocol, port });
  };
  try {
    const ports: PortConfig[] = [];
    const numbered = new Set(
      spec
        .filter((p) => p.publishMode === 'ingress' && p.publishedPort !== 0)
        .map((p) => keyOf(p.protocol, p.publishedPort)),
    );
    const reusable = previous.filter(
      (p) =>
        p.publishMode === 'ingress' &&
        p.publishedPort !== 0 &&
        !numbered.has(keyOf(p.protocol, p.publishedPort)),
    );
    // Numbered ports first, so a dynamic port never takes a number the spec asks for.
    for (const p of spec) {
      if (p.publishMode === 'ingress' && p.publishedPort !== 0) reserve(p.protocol, p.publishedPort);
    }
    for (const p of spec) {
      if (p.publishMode !== 'ingress' || p.publishedPort !== 0) {
        ports.push({ ...p });
        continue;
      }
      const i = reusable.findIndex(
        (r) => samePort(r, p) && ledger.ownerOf(r.protocol, r.publishedPort) === serviceId,
      );
      const [kept] = i >= 0 ? reusable.splice(i, 1) : [];
      if (kept !== undefined) {
        ports.push({ ...p, publishedPort: kept.publishedPort });
        continue;
      }
      const port = ledger.allocateDynamic(p.protocol, serviceId);
      made.push({ protocol: p.protocol, port });
      ports.push({ ...p, publishedPort: port });
    }
    const held = new Set(
      ports.filter((p) => p.publishMode === 'ingress').map((p) => keyOf(p.protocol, p.publishedPort)),
    );
    const releases = previous
      .filter((p) => p.publishMode === 'ingress' && p.publishedPort !== 0)
      .filter((p) => !held.has(keyOf(p.protocol, p.publishedPort)))
      .map((p) => ({ protocol: p.protocol, port: p.publishedPort }));
    return { ports, releases };
  } catch (e: unknown) {
    for (const m of made) ledger.release(m.protocol, m.port, serviceId);
    throw e;
  }
}

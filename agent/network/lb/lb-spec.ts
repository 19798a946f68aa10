// What a node must program for load balancing, in shoal's own terms (the agent builds it from
// its assignments): per task sandbox, the virtual IPs the task can reach and their healthy
// backends; per node, the published ports and where they lead. `normalize*` validates a spec and
// puts it in a canonical form (sorted, deduplicated) so that equal intents compare equal.

import { isIPv4 } from 'node:net';
import type { PortProtocol } from '../../../api/objects/common.js';
import { LbSpecError } from './errors.js';

/** A service's virtual IP on one network the task shares with it. */
export interface VipService {
  readonly vip: string;
  /**
   * The healthy task addresses of the service on that network (the caller leaves out tasks that
   * are not running or fail their health check). Empty: connections to the VIP are refused.
   */
  readonly backends: readonly string[];
}

/** Where a sandbox's DNS queries to `address:53` are redirected (the embedded DNS listener). */
export interface SandboxDnsRedirect {
  /** The resolver address the task's resolv.conf names (Docker's 127.0.0.11). */
  readonly address: string;
  readonly udpPort: number;
  readonly tcpPort: number;
}

/** Everything shoal programs in one task's network namespace (table `ip shoal_lb`). */
export interface SandboxLbSpec {
  readonly services: readonly VipService[];
  readonly dns?: SandboxDnsRedirect;
}

/** A published port as one node must answer it. */
export interface PublishedPort {
  readonly protocol: PortProtocol;
  readonly publishedPort: number;
  readonly targetPort: number;
  /**
   * `ingress`: the routing mesh; backends are the service's task addresses on the ingress network
   * wherever they run, and connections are masqueraded so replies come back through this node.
   * An ingress port with no backend refuses connections.
   * `host`: backends are this node's own tasks only (addresses they are reached at from the
   * node); a host port with no local task is not programmed at all.
   */
  readonly mode: 'ingress' | 'host';
  readonly backends: readonly string[];
  /**
   * An ingress port that keeps the client's source address: connections are not masqueraded
   * (the task's sandbox sends its replies back through this node; see mesh-reply.ts).
   */
  readonly preserveClientIp?: boolean;
}

/** Everything shoal programs in a node's own namespace (table `ip shoal_mesh`). */
export interface NodeLbSpec {
  /** The ingress network's subnet (CIDR): mesh traffic into it is masqueraded. */
  readonly ingressSubnet?: string;
  readonly ports: readonly PublishedPort[];
}

/** A sandbox spec in canonical form: services sorted by VIP, backends sorted and unique. */
export interface NormalSandboxSpec {
  /** VIP → backends (sorted numerically). Iteration order is sorted by VIP. */
  readonly services: ReadonlyMap<string, readonly string[]>;
  readonly dns: SandboxDnsRedirect | undefined;
}

export interface NormalPort {
  readonly protocol: PortProtocol;
  readonly publishedPort: number;
  readonly targetPort: number;
  readonly mode: 'ingress' | 'host';
  readonly backends: readonly string[];
  /** Present (true) only on an ingress port that keeps the client's address. */
  readonly preserveClientIp?: true;
}

export interface NormalNodeSpec {
  /** Keyed by portKey(); iteration order is sorted by protocol then port. */
  readonly ports: ReadonlyMap<string, NormalPort>;
  readonly ingressSubnet: string | undefined;
}

/** The identity of a published port on a node: `tcp/8080`. */
export function portKey(protocol: PortProtocol, publishedPort: number): string {
  return `${protocol}/${publishedPort}`;
}

export function ipv4ToNumber(addr: string): number {
  return addr.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function compareIpv4(a: string, b: string): number {
  return ipv4ToNumber(a) - ipv4ToNumber(b);
}

function checkAddr(addr: string, what: string): void {
  if (!isIPv4(addr)) throw new LbSpecError(`${what} ${JSON.stringify(addr)} is not an IPv4 address`);
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new LbSpecError(`${what} ${port} is not a port number (1-65535)`);
  }
}

/** Sorts addresses numerically, each parsed once (specs carry thousands of them). */
function sortByAddress<T>(items: readonly T[], addrOf: (item: T) => string): T[] {
  return items
    .map((item) => [ipv4ToNumber(addrOf(item)), item] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, item]) => item);
}

function sortedBackends(backends: readonly string[], what: string): string[] {
  for (const b of backends) checkAddr(b, `backend of ${what}`);
  return sortByAddress([...new Set(backends)], (b) => b);
}

export function normalizeSandboxSpec(spec: SandboxLbSpec): NormalSandboxSpec {
  let entries: [string, string[]][] = [];
  const seen = new Set<string>();
  for (const s of spec.services) {
    checkAddr(s.vip, 'VIP');
    if (seen.has(s.vip)) throw new LbSpecError(`VIP ${s.vip} appears twice in the sandbox spec`);
    seen.add(s.vip);
    entries.push([s.vip, sortedBackends(s.backends, `VIP ${s.vip}`)]);
  }
  entries = sortByAddress(entries, ([vip]) => vip);
  if (spec.dns) {
    checkAddr(spec.dns.address, 'DNS address');
    checkPort(spec.dns.udpPort, 'DNS UDP port');
    checkPort(spec.dns.tcpPort, 'DNS TCP port');
  }
  return { services: new Map(entries), dns: spec.dns ? { ...spec.dns } : undefined };
}

const PROTOCOL_ORDER: Readonly<Record<PortProtocol, number>> = { tcp: 0, udp: 1, sctp: 2 };

export function normalizeNodeSpec(spec: NodeLbSpec): NormalNodeSpec {
  if (spec.ingressSubnet !== undefined) {
    const [addr, len, ...rest] = spec.ingressSubnet.split('/');
    const n = Number(len);
    if (addr === undefined || !isIPv4(addr) || rest.length > 0 || !Number.isInteger(n) || n < 0 || n > 32) {
      throw new LbSpecError(`ingress subnet ${JSON.stringify(spec.ingressSubnet)} is not an IPv4 CIDR`);
    }
  }
  const ports: NormalPort[] = [];
  const seen = new Set<string>();
  for (const p of spec.ports) {
    if (!(p.protocol in PROTOCOL_ORDER)) {
      throw new LbSpecError(`protocol ${JSON.stringify(p.protocol)} is not tcp, udp or sctp`);
    }
    checkPort(p.publishedPort, 'published port');
    checkPort(p.targetPort, 'target port');
    const key = portKey(p.protocol, p.publishedPort);
    if (seen.has(key)) throw new LbSpecError(`published port ${key} appears twice in the node spec`);
    seen.add(key);
    const backends = sortedBackends(p.backends, `published port ${key}`);
    if (p.mode === 'host' && backends.length === 0) continue; // no local task: not bound here
    const { preserveClientIp, ...rest } = p;
    ports.push({
      ...rest,
      backends,
      ...(p.mode === 'ingress' && preserveClientIp === true ? { preserveClientIp } : {}),
    });
  }
  ports.sort(
    (a, b) => PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol] || a.publishedPort - b.publishedPort,
  );
  return {
    ports: new Map(ports.map((p) => [portKey(p.protocol, p.publishedPort), p])),
    ingressSubnet: spec.ingressSubnet,
  };
}

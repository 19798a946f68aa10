// The names the embedded DNS answers, per network, and the index the resolver looks them up in.
// The agent builds DnsNetworkRecords from its assignments (every service and task on the
// networks its tasks are attached to); buildDnsIndex is pure.

/** A service as seen on one network. */
export interface DnsServiceRecord {
  readonly name: string;
  /** Network aliases of the service on this network (`--network name=n,alias=a`). */
  readonly aliases?: readonly string[];
  readonly endpointMode: 'vip' | 'dnsrr';
  /** The service's virtual IP on this network (vip mode). */
  readonly vip?: string;
  /** Addresses on this network of the service's running tasks. */
  readonly taskAddrs: readonly string[];
}

/** A task as seen on one network: its name (`web.1.<task id>`) and its address there. */
export interface DnsTaskRecord {
  readonly name: string;
  readonly addr: string;
}

export interface DnsNetworkRecords {
  readonly id: string;
  readonly name: string;
  readonly services: readonly DnsServiceRecord[];
  readonly tasks: readonly DnsTaskRecord[];
}

/** What a name resolves to on one network. */
export interface DnsEntry {
  readonly addrs: readonly string[];
  readonly ttl: number;
}

export interface NetworkIndex {
  readonly name: string;
  /** Lower-case name (no trailing dot) → entry. */
  readonly names: ReadonlyMap<string, DnsEntry>;
  /** Address → the name a reverse (PTR) lookup answers. */
  readonly reverse: ReadonlyMap<string, string>;
}

export interface DnsIndex {
  /** Network id → its names. */
  readonly networks: ReadonlyMap<string, NetworkIndex>;
}

/** A VIP does not move for the service's life; task addresses come and go. */
export const VIP_TTL = 600;
export const TASK_TTL = 10;

function lower(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export function buildDnsIndex(networks: readonly DnsNetworkRecords[]): DnsIndex {
  const out = new Map<string, NetworkIndex>();
  for (const n of networks) {
    const names = new Map<string, DnsEntry>();
    const reverse = new Map<string, string>();
    for (const t of n.tasks) {
      names.set(lower(t.name), { addrs: [t.addr], ttl: TASK_TTL });
      reverse.set(t.addr, t.name);
    }
    for (const s of n.services) {
      const tasks: DnsEntry = { addrs: [...s.taskAddrs], ttl: TASK_TTL };
      const own: DnsEntry =
        s.endpointMode === 'vip' ? { addrs: s.vip === undefined ? [] : [s.vip], ttl: VIP_TTL } : tasks;
      for (const name of [s.name, ...(s.aliases ?? [])]) {
        names.set(lower(name), own);
        names.set(`tasks.${lower(name)}`, tasks);
      }
      if (s.endpointMode === 'vip' && s.vip !== undefined) reverse.set(s.vip, s.name);
    }
    out.set(n.id, { name: lower(n.name), names, reverse });
  }
  return { networks: out };
}

// The embedded DNS's answers, pure: what a querying task gets for a name, given the networks it
// is attached to. Docker's rules: `<service>` → its VIP (task addresses in dnsrr mode),
// `tasks.<service>` → its task addresses, `<task name>` → the task's address, each only on
// networks the querier shares with the target (the first of its networks that knows the name
// wins); `<name>.<network>` looks in that network only; reverse lookups name known addresses.
// Names shoal owns and does not know get NXDOMAIN; every other name is forwarded upstream.
// Only A records exist: AAAA (and any other type) for a known name is an empty NOERROR answer.

import type { DnsEntry, DnsIndex, NetworkIndex } from './dns-records.js';
import { TASK_TTL } from './dns-records.js';

export interface DnsQuestion {
  readonly name: string;
  /** The record type as dns-packet names it: 'A', 'AAAA', 'PTR', 'ANY', … */
  readonly type: string;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: 'A' | 'PTR';
  readonly ttl: number;
  readonly data: string;
}

export type Resolution =
  | {
      readonly kind: 'answer';
      readonly rcode: 'NOERROR' | 'NXDOMAIN';
      readonly records: readonly DnsRecord[];
    }
  | { readonly kind: 'forward' };

const FORWARD: Resolution = { kind: 'forward' };
const NXDOMAIN: Resolution = { kind: 'answer', rcode: 'NXDOMAIN', records: [] };
const ARPA = '.in-addr.arpa';

function rotated<T>(list: readonly T[], by: number): T[] {
  if (list.length < 2) return [...list];
  const k = ((by % list.length) + list.length) % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

function answerWith(q: DnsQuestion, entry: DnsEntry, rotate: number): Resolution {
  if (q.type !== 'A' && q.type !== 'ANY') return { kind: 'answer', rcode: 'NOERROR', records: [] };
  return {
    kind: 'answer',
    rcode: 'NOERROR',
    records: rotated(entry.addrs, rotate).map((data) => ({
      name: q.name,
      type: 'A' as const,
      ttl: entry.ttl,
      data,
    })),
  };
}

function reverseLookup(q: DnsQuestion, name: string, nets: readonly NetworkIndex[]): Resolution {
  const octets = name.slice(0, -ARPA.length).split('.');
  if (octets.length !== 4) return FORWARD;
  const addr = octets.reverse().join('.');
  for (const n of nets) {
    const target = n.reverse.get(addr);
    if (target === undefined) continue;
    if (q.type !== 'PTR' && q.type !== 'ANY') return { kind: 'answer', rcode: 'NOERROR', records: [] };
    return {
      kind: 'answer',
      rcode: 'NOERROR',
      records: [{ name: q.name, type: 'PTR', ttl: TASK_TTL, data: target }],
    };
  }
  return FORWARD;
}

/**
 * @param networks the querying sandbox's network ids, in attachment order
 * @param rotate rotates multi-address answers (the server passes a counter) so clients that
 *   take the first address spread over the tasks
 */
export function resolve(
  index: DnsIndex,
  networks: readonly string[],
  q: DnsQuestion,
  rotate = 0,
): Resolution {
  const name = q.name.toLowerCase().replace(/\.$/, '');
  const nets = networks.flatMap((id) => index.networks.get(id) ?? []);
  if (name.endsWith(ARPA)) return reverseLookup(q, name, nets);

  // `<name>.<network name>`: that network only.
  for (const n of nets) {
    if (!name.endsWith(`.${n.name}`)) continue;
    const entry = n.names.get(name.slice(0, -(n.name.length + 1)));
    return entry ? answerWith(q, entry, rotate) : NXDOMAIN;
  }
  for (const n of nets) {
    const entry = n.names.get(name);
    if (entry) return answerWith(q, entry, rotate);
  }
  const swarmScope = !name.includes('.') || name.startsWith('tasks.');
  return swarmScope ? NXDOMAIN : FORWARD;
}

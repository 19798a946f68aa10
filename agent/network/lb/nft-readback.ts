// Reads shoal's own tables back from `nft -j list table` output into the spec they program, so
// a restarted daemon diffs against what the kernel really holds. Pure. Anything that is not the
// shape nft-ruleset.ts writes throws NftUnreadableError: the caller then replaces the table whole.

import { NftUnreadableError } from './errors.js';
import type { NormalNodeSpec, NormalPort, NormalSandboxSpec, SandboxDnsRedirect } from './lb-spec.js';
import type { PortProtocol } from '../../../api/objects/common.js';
import { compareIpv4, portKey } from './lb-spec.js';
import { DNS_CHAIN, PORTS_MAP, PRESERVE_CLIENT_IP_MARK, VIPS_MAP } from './nft-ruleset.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

interface TableContents {
  readonly chains: ReadonlySet<string>;
  readonly rules: ReadonlyMap<string, readonly unknown[][]>;
  readonly maps: ReadonlyMap<string, readonly unknown[]>;
}

function contents(items: readonly unknown[]): TableContents {
  const chains = new Set<string>();
  const rules = new Map<string, unknown[][]>();
  const maps = new Map<string, unknown[]>();
  for (const item of items) {
    const c = field(item, 'chain', 'name');
    if (typeof c === 'string') chains.add(c);
    const m = field(item, 'map');
    if (isObj(m) && typeof m['name'] === 'string') {
      maps.set(m['name'], Array.isArray(m['elem']) ? (m['elem'] as unknown[]) : []);
    }
    const r = field(item, 'rule');
    if (isObj(r) && typeof r['chain'] === 'string' && Array.isArray(r['expr'])) {
      const list = rules.get(r['chain']) ?? [];
      list.push(r['expr'] as unknown[]);
      rules.set(r['chain'], list);
    }
  }
  return { chains, rules, maps };
}

function requireChains(t: TableContents, names: readonly string[], table: string): void {
  for (const n of names)
    if (!t.chains.has(n)) throw new NftUnreadableError(`table ${table} has no chain ${n}`);
}

/** Element `[key, {goto: {target}}]` → [key, target]. */
function verdictElem(e: unknown, map: string): [unknown, string] {
  if (!Array.isArray(e) || e.length !== 2)
    throw new NftUnreadableError(`element of map ${map} is not a pair`);
  const target = field(e[1], 'goto', 'target');
  if (typeof target !== 'string') throw new NftUnreadableError(`element of map ${map} is not a goto`);
  return [e[0], target];
}

/** The backends and port of the chain's round-robin dnat; [] when the chain only rejects. */
function balancer(
  rules: readonly unknown[][] | undefined,
  chain: string,
): { backends: string[]; port?: number } {
  if (!rules) throw new NftUnreadableError(`chain ${chain} is missing`);
  let rejects = false;
  for (const expr of rules) {
    for (const stmt of expr) {
      if (field(stmt, 'reject') !== undefined) rejects = true;
      const set = field(stmt, 'dnat', 'addr', 'map', 'data', 'set');
      if (!Array.isArray(set)) continue;
      const pairs = set.map((p: unknown) => {
        if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'string') {
          throw new NftUnreadableError(`chain ${chain} maps to something other than addresses`);
        }
        return [p[0], p[1]] as const;
      });
      pairs.sort((a, b) => a[0] - b[0]);
      const port = field(stmt, 'dnat', 'port');
      return { backends: pairs.map((p) => p[1]), ...(typeof port === 'number' ? { port } : {}) };
    }
  }
  if (!rejects) throw new NftUnreadableError(`chain ${chain} neither balances nor rejects`);
  return { backends: [] };
}

function readDns(rules: readonly unknown[][] | undefined): SandboxDnsRedirect | undefined {
  let address: string | undefined;
  const ports: Partial<Record<'udp' | 'tcp', number>> = {};
  for (const expr of rules ?? []) {
    for (const stmt of expr) {
      const proto = field(stmt, 'match', 'left', 'payload', 'protocol');
      if ((proto === 'udp' || proto === 'tcp') && field(stmt, 'match', 'right') === 53) {
        const dnat = expr.find((s) => field(s, 'dnat') !== undefined);
        const addr = field(dnat, 'dnat', 'addr');
        const port = field(dnat, 'dnat', 'port');
        if (typeof addr !== 'string' || typeof port !== 'number')
          throw new NftUnreadableError('bad DNS rule');
        address = addr;
        ports[proto] = port;
      }
    }
  }
  if (address === undefined) return undefined;
  if (ports.udp === undefined || ports.tcp === undefined)
    throw new NftUnreadableError('DNS rule for one protocol only');
  return { address, udpPort: ports.udp, tcpPort: ports.tcp };
}

export function readSandboxTable(items: readonly unknown[]): NormalSandboxSpec {
  const t = contents(items);
  requireChains(t, ['nat-output', DNS_CHAIN], 'shoal_lb');
  const elems = t.maps.get(VIPS_MAP);
  if (!elems) throw new NftUnreadableError(`table shoal_lb has no map ${VIPS_MAP}`);
  const services = elems
    .map((e) => {
      const [vip, chain] = verdictElem(e, VIPS_MAP);
      if (typeof vip !== 'string') throw new NftUnreadableError(`key of map ${VIPS_MAP} is not an address`);
      return [vip, balancer(t.rules.get(chain), chain).backends] as [string, string[]];
    })
    .sort(([a], [b]) => compareIpv4(a, b));
  return { services: new Map(services), dns: readDns(t.rules.get(DNS_CHAIN)) };
}

export function readNodeTable(items: readonly unknown[]): NormalNodeSpec {
  const t = contents(items);
  requireChains(t, ['nat-prerouting', 'nat-output', 'nat-postrouting'], 'shoal_mesh');
  const elems = t.maps.get(PORTS_MAP);
  if (!elems) throw new NftUnreadableError(`table shoal_mesh has no map ${PORTS_MAP}`);
  const ports = new Map<string, NormalPort>();
  for (const e of elems) {
    const [key, chain] = verdictElem(e, PORTS_MAP);
    const concat = field(key, 'concat');
    if (!Array.isArray(concat) || typeof concat[0] !== 'string' || typeof concat[1] !== 'number') {
      throw new NftUnreadableError(`key of map ${PORTS_MAP} is not protocol . port`);
    }
    const protocol = concat[0] as PortProtocol;
    const { backends, port } = balancer(t.rules.get(chain), chain);
    const preserve = (t.rules.get(chain) ?? []).some((expr) =>
      expr.some((stmt) => field(stmt, 'mangle', 'key', 'meta', 'key') === 'mark'),
    );
    ports.set(portKey(protocol, concat[1]), {
      protocol,
      publishedPort: concat[1],
      targetPort: port ?? 0,
      mode: 'ingress',
      backends,
      ...(preserve ? { preserveClientIp: true as const } : {}),
    });
  }
  let ingressSubnet: string | undefined;
  // A table made before ports could keep the client's address lacks that exemption: it reads
  // as no masquerade at all, so the next apply writes both rules.
  const exempts = (t.rules.get('nat-postrouting') ?? []).some((expr) =>
    expr.some((stmt) => field(stmt, 'match', 'right') === PRESERVE_CLIENT_IP_MARK),
  );
  for (const expr of exempts ? (t.rules.get('nat-postrouting') ?? []) : []) {
    for (const stmt of expr) {
      const prefix = field(stmt, 'match', 'right', 'prefix');
      const addr = field(prefix, 'addr');
      const len = field(prefix, 'len');
      if (typeof addr === 'string' && typeof len === 'number') ingressSubnet = `${addr}/${len}`;
    }
  }
  return { ports, ingressSubnet };
}

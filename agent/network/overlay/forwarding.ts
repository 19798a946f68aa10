// Static forwarding for one overlay network on one node, as pure data: which remote endpoint
// address answers to which MAC (neighbour entries on the VXLAN device, so it answers ARP itself),
// which MAC lives behind which node (VXLAN FDB entries), and which nodes get flooded frames. The
// data plane diffs the table it programmed against the one the cluster wants and sends the
// kernel only the difference, as iproute2 batch lines.

import { isIpv4, macFromIpv4, normalizeMac, stripPrefix } from './addresses.js';
import { OverlayError } from './errors.js';

/** An endpoint of the network on another node (a task's address there). */
export interface RemoteEndpoint {
  /** Overlay address (a prefix length, as in "10.0.1.5/24", is ignored). */
  readonly address: string;
  /** Its MAC (default: derived from the address, as the driver makes local ones). */
  readonly mac?: string;
  /** Underlay address of the node it runs on: where VXLAN sends its frames. */
  readonly nodeAddress: string;
}

export interface ForwardingTable {
  /** Overlay address → MAC. */
  readonly neighbours: ReadonlyMap<string, string>;
  /** MAC → node underlay address. */
  readonly fdb: ReadonlyMap<string, string>;
  /** Node underlay addresses that get broadcast and unknown-unicast frames. */
  readonly floods: ReadonlySet<string>;
}

export interface ForwardingChange {
  readonly setNeighbours: readonly (readonly [address: string, mac: string])[];
  readonly delNeighbours: readonly string[];
  readonly setFdb: readonly (readonly [mac: string, node: string])[];
  readonly delFdb: readonly string[];
  readonly addFloods: readonly string[];
  readonly delFloods: readonly string[];
}

export const EMPTY_TABLE: ForwardingTable = { neighbours: new Map(), fdb: new Map(), floods: new Set() };

/** The MAC used for flooding entries (all-zero: "any destination"). */
const FLOOD_MAC = '00:00:00:00:00:00';

/**
 * The table for a set of endpoints, leaving out those on this node (`localNode`): the bridge
 * reaches them directly. If an address appears twice, the later entry wins (a task that moved).
 */
export function desiredTable(endpoints: Iterable<RemoteEndpoint>, localNode: string): ForwardingTable {
  const neighbours = new Map<string, string>();
  const fdb = new Map<string, string>();
  for (const e of endpoints) {
    const address = stripPrefix(e.address);
    if (!isIpv4(address)) {
      throw new OverlayError('OVERLAY_BAD_CONFIG', `endpoint address "${e.address}" is not an IPv4 address`);
    }
    if (!isIpv4(e.nodeAddress)) {
      throw new OverlayError(
        'OVERLAY_BAD_CONFIG',
        `node address "${e.nodeAddress}" of endpoint ${address} is not an IPv4 address`,
      );
    }
    if (e.nodeAddress === localNode) continue;
    const mac = e.mac === undefined ? macFromIpv4(address) : normalizeMac(e.mac);
    const before = neighbours.get(address);
    if (before !== undefined && before !== mac) fdb.delete(before);
    neighbours.set(address, mac);
    fdb.set(mac, e.nodeAddress);
  }
  return { neighbours, fdb, floods: new Set(fdb.values()) };
}

function diffMap(
  current: ReadonlyMap<string, string>,
  desired: ReadonlyMap<string, string>,
): { set: [string, string][]; del: string[] } {
  const set: [string, string][] = [];
  const del: string[] = [];
  for (const [k, v] of desired) if (current.get(k) !== v) set.push([k, v]);
  for (const k of current.keys()) if (!desired.has(k)) del.push(k);
  return { set, del };
}

/** What to change so that the kernel holding `current` holds `desired`. */
export function diffForwarding(current: ForwardingTable, desired: ForwardingTable): ForwardingChange {
  const n = diffMap(current.neighbours, desired.neighbours);
  const f = diffMap(current.fdb, desired.fdb);
  return {
    setNeighbours: n.set,
    delNeighbours: n.del,
    setFdb: f.set,
    delFdb: f.del,
    addFloods: [...desired.floods].filter((x) => !current.floods.has(x)),
    delFloods: [...current.floods].filter((x) => !desired.floods.has(x)),
  };
}

/** Number of kernel entries a change touches. */
export function changeSize(c: ForwardingChange): number {
  return (
    c.setNeighbours.length +
    c.delNeighbours.length +
    c.setFdb.length +
    c.delFdb.length +
    c.addFloods.length +
    c.delFloods.length
  );
}

/** The table after a change (what the kernel holds once the change went through). */
export function applyChange(table: ForwardingTable, c: ForwardingChange): ForwardingTable {
  const neighbours = new Map(table.neighbours);
  const fdb = new Map(table.fdb);
  const floods = new Set(table.floods);
  for (const a of c.delNeighbours) neighbours.delete(a);
  for (const [a, m] of c.setNeighbours) neighbours.set(a, m);
  for (const m of c.delFdb) fdb.delete(m);
  for (const [m, node] of c.setFdb) fdb.set(m, node);
  for (const node of c.delFloods) floods.delete(node);
  for (const node of c.addFloods) floods.add(node);
  return { neighbours, fdb, floods };
}

export interface ForwardingBatches {
  /** Lines for `ip -batch -`. */
  readonly ip: readonly string[];
  /** Lines for `bridge -batch -`. */
  readonly bridge: readonly string[];
}

/** iproute2 batch lines for a change on the VXLAN device `vxlan` (removals first). */
export function forwardingCommands(vxlan: string, c: ForwardingChange): ForwardingBatches {
  return {
    ip: [
      ...c.delNeighbours.map((a) => `neigh del ${a} dev ${vxlan}`),
      ...c.setNeighbours.map(([a, m]) => `neigh replace ${a} lladdr ${m} dev ${vxlan} nud permanent`),
    ],
    bridge: [
      ...c.delFloods.map((node) => `fdb del ${FLOOD_MAC} dev ${vxlan} dst ${node} self`),
      ...c.delFdb.map((m) => `fdb del ${m} dev ${vxlan} self`),
      ...c.setFdb.map(([m, node]) => `fdb replace ${m} dev ${vxlan} dst ${node} self permanent`),
      ...c.addFloods.map((node) => `fdb append ${FLOOD_MAC} dev ${vxlan} dst ${node} self permanent`),
    ],
  };
}

function records(json: string): Record<string, unknown>[] {
  const parsed: unknown = JSON.parse(json.trim() === '' ? '[]' : json);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
}

/**
 * The table the kernel holds, from `ip -j neigh show dev VXLAN` and `bridge -j fdb show dev VXLAN`
 * (only the VXLAN device's own static entries count; the bridge's learned ones are not ours).
 */
export function parseKernelTable(neighJson: string, fdbJson: string): ForwardingTable {
  const neighbours = new Map<string, string>();
  for (const r of records(neighJson)) {
    const state = r['state'];
    const permanent = Array.isArray(state) && state.includes('PERMANENT');
    if (typeof r['dst'] === 'string' && typeof r['lladdr'] === 'string' && permanent) {
      neighbours.set(r['dst'], r['lladdr'].toLowerCase());
    }
  }
  const fdb = new Map<string, string>();
  const floods = new Set<string>();
  for (const r of records(fdbJson)) {
    const flags = r['flags'];
    if (!Array.isArray(flags) || !flags.includes('self')) continue;
    if (typeof r['mac'] !== 'string' || typeof r['dst'] !== 'string') continue;
    const mac = r['mac'].toLowerCase();
    if (mac === FLOOD_MAC) floods.add(r['dst']);
    else fdb.set(mac, r['dst']);
  }
  return { neighbours, fdb, floods };
}

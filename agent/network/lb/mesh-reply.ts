// Replies of a task whose service keeps the client's address through the routing mesh. The
// node that received a connection translated only its destination (no masquerade), so the task
// sees the client's own address, and its reply must go back through that node for the
// translation to be undone there, not out of the task's own default route. In the task's
// sandbox:
//
// `table ip shoal_reply`
//   chain mark-in   (filter, prerouting, -150)  a new connection to the task's ingress address
//                                               from outside the ingress subnet: ct mark = the
//                                               sending node's ingress address, read from the
//                                               frame's source MAC (02:42 + the four address
//                                               bytes, as every ingress bridge's MAC is made)
//   chain mark-out  (route, output, -150)       ct mark set: packet mark = ct mark (re-routed)
// and per node N of the swarm: `ip rule fwmark N lookup N` and, in table N, a default route via
// N's ingress address. Mark and table are N's address as a number (in the byte order the mark
// holds it, see markOf), so no table of shoal's maps one to the other and no node is looked up on
// the packet path. Everything is in the kernel.

import { isIPv4 } from 'node:net';
import { endianness } from 'node:os';
import type { Logger } from 'pino';
import type { Json, NftCommand } from '../nft-json.js';
import { FAMILY } from '../nft-json.js';
import { IpRoute, type JsonRecord } from '../overlay/iproute.js';
import { NodeCommands } from '../overlay/host-commands.js';
import { LbSpecError } from './errors.js';
import { ipv4ToNumber } from './lb-spec.js';
import type { Nft } from './nft.js';

export const REPLY_TABLE = 'shoal_reply';
/** Priority of shoal's policy rules in a sandbox (before main's 32766). */
export const REPLY_RULE_PRIORITY = 10_000;
/**
 * A UDP server answering from an unbound socket picks its source address by route: without
 * help it would answer from its default route's address, which matches no connection of the
 * mesh. Datagrams from the service's UDP target ports look up this table first, whose route
 * leaves by the ingress interface with the task's ingress address as source; the connection
 * they then match re-routes them to the right node (REPLY_RULE_PRIORITY comes first).
 */
export const UDP_SOURCE_RULE_PRIORITY = 10_001;
export const UDP_SOURCE_TABLE = 0x5348;

export interface MeshReplySpec {
  /** The task's address on the ingress network, without prefix length. */
  readonly address: string;
  /** The ingress network's subnet (CIDR). */
  readonly subnet: string;
  /** Every node's ingress address (without prefix length): where replies may have to go. */
  readonly nodes: readonly string[];
  /** The service's UDP target ports that keep the client's address. */
  readonly udpPorts: readonly number[];
}

function checkSpec(spec: MeshReplySpec): void {
  if (!isIPv4(spec.address)) throw new LbSpecError(`task ingress address ${spec.address} is not IPv4`);
  const [base, len] = spec.subnet.split('/');
  if (base === undefined || !isIPv4(base) || !/^\d{1,2}$/.test(len ?? '') || Number(len) > 32)
    throw new LbSpecError(`ingress subnet ${spec.subnet} is not an IPv4 CIDR`);
  for (const n of spec.nodes) if (!isIPv4(n)) throw new LbSpecError(`node ingress address ${n} is not IPv4`);
  for (const p of spec.udpPorts)
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new LbSpecError(`UDP port ${p} is not a port`);
}

const rule = (chain: string, expr: readonly Json[]): NftCommand => ({
  add: { rule: { family: FAMILY, table: REPLY_TABLE, chain, expr } },
});
const match = (left: Json, right: Json, op = '=='): Json => ({ match: { op, left, right } });

/** The sandbox's `shoal_reply` table, replacing whatever was there, in one transaction. */
export function meshReplyRuleset(spec: MeshReplySpec): NftCommand[] {
  checkSpec(spec);
  const [base, len] = spec.subnet.split('/');
  const table = { table: { family: FAMILY, name: REPLY_TABLE } } as const;
  const chain = (name: string, type: 'filter' | 'route', hook: 'prerouting' | 'output'): NftCommand => ({
    add: { chain: { family: FAMILY, table: REPLY_TABLE, name, type, hook, prio: -150, policy: 'accept' } },
  });
  return [
    { add: table },
    { delete: table },
    { add: table },
    chain('mark-in', 'filter', 'prerouting'),
    chain('mark-out', 'route', 'output'),
    rule('mark-in', [
      match({ payload: { protocol: 'ip', field: 'daddr' } }, spec.address),
      match(
        { payload: { protocol: 'ip', field: 'saddr' } },
        { prefix: { addr: base ?? '', len: Number(len) } },
        '!=',
      ),
      match({ ct: { key: 'state' } }, 'new', 'in'),
      // The source MAC's last four bytes: the sending node's ingress address.
      { mangle: { key: { ct: { key: 'mark' } }, value: { payload: { base: 'll', offset: 64, len: 32 } } } },
    ]),
    rule('mark-out', [
      match({ ct: { key: 'mark' } }, 0, '!='),
      { mangle: { key: { meta: { key: 'mark' } }, value: { ct: { key: 'mark' } } } },
    ]),
  ];
}

/**
 * The connection mark (and routing table) of a node: its ingress address as the kernel holds
 * the four bytes nft copies from the frame into the 32-bit mark, i.e. in this machine's byte
 * order (a raw payload has no byte order of its own to convert from).
 */
export function markOf(address: string, order: 'LE' | 'BE' = endianness()): number {
  const n = ipv4ToNumber(address) >>> 0;
  if (order === 'BE') return n;
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

/** The `ip` lines that turn the sandbox's shoal rules `held` (marks) into those of `spec`. */
export function replyRouteLines(
  spec: MeshReplySpec | undefined,
  held: readonly number[],
  device: string | undefined,
  heldUdp: readonly number[] = [],
): string[] {
  const want = new Map((spec?.nodes ?? []).map((n) => [markOf(n), n]));
  const lines: string[] = [];
  for (const mark of held) {
    if (want.has(mark)) continue;
    lines.push(`rule del priority ${REPLY_RULE_PRIORITY} fwmark ${mark} lookup ${mark}`);
    lines.push(`route flush table ${mark}`);
  }
  for (const [mark, node] of want) {
    if (!held.includes(mark))
      lines.push(`rule add priority ${REPLY_RULE_PRIORITY} fwmark ${mark} lookup ${mark}`);
    lines.push(
      `route replace default via ${node}${device === undefined ? '' : ` dev ${device}`} onlink table ${mark}`,
    );
  }
  const udp = new Set(spec === undefined || spec.nodes.length === 0 ? [] : spec.udpPorts);
  for (const port of heldUdp)
    if (!udp.has(port))
      lines.push(
        `rule del priority ${UDP_SOURCE_RULE_PRIORITY} ipproto udp sport ${port} lookup ${UDP_SOURCE_TABLE}`,
      );
  for (const port of udp)
    if (!heldUdp.includes(port))
      lines.push(
        `rule add priority ${UDP_SOURCE_RULE_PRIORITY} ipproto udp sport ${port} lookup ${UDP_SOURCE_TABLE}`,
      );
  const first = spec?.nodes[0];
  if (udp.size > 0 && spec !== undefined && first !== undefined)
    lines.push(
      `route replace default via ${first}${device === undefined ? '' : ` dev ${device}`} onlink src ${spec.address} table ${UDP_SOURCE_TABLE}`,
    );
  else if (heldUdp.length > 0) lines.push(`route flush table ${UDP_SOURCE_TABLE}`);
  return lines;
}

/** UDP source ports of shoal's source-address rules in `ip -j rule show` output. */
export function heldUdpPorts(rules: readonly JsonRecord[]): number[] {
  const out: number[] = [];
  for (const r of rules) {
    if (r['priority'] !== UDP_SOURCE_RULE_PRIORITY) continue;
    if (typeof r['sport'] === 'number') out.push(r['sport']);
  }
  return out;
}

/** Marks of shoal's policy rules in `ip -j rule show` output. */
export function heldMarks(rules: readonly JsonRecord[]): number[] {
  const out: number[] = [];
  for (const r of rules) {
    if (r['priority'] !== REPLY_RULE_PRIORITY) continue;
    const mark = typeof r['fwmark'] === 'string' ? Number(r['fwmark']) : NaN;
    if (Number.isInteger(mark) && mark > 0) out.push(mark);
  }
  return out;
}

/** Programs (or removes) the reply routing of task sandboxes. */
export class MeshReply {
  /** What each sandbox holds, as last programmed (JSON of its spec). */
  readonly #held = new Map<string, string>();

  constructor(
    private readonly nft: Nft,
    private readonly logger: Logger,
  ) {}

  async apply(netnsPath: string, spec: MeshReplySpec | undefined): Promise<void> {
    const key = spec === undefined ? '' : JSON.stringify(spec);
    if ((this.#held.get(netnsPath) ?? '') === key) return;
    const ip = new IpRoute(new NodeCommands({ prefix: ['nsenter', `--net=${netnsPath}`, '--'] }));
    const rules = await ip.ipJson(['rule', 'show']);
    const held = heldMarks(rules);
    let device: string | undefined;
    if (spec !== undefined) {
      device = deviceWith(await ip.ipJson(['-4', 'addr', 'show']), spec.address);
      await this.nft.apply(netnsPath, meshReplyRuleset(spec));
    } else {
      await this.nft.deleteTable(netnsPath, REPLY_TABLE);
    }
    await ip.ip(replyRouteLines(spec, held, device, heldUdpPorts(rules)));
    if (spec === undefined) this.#held.delete(netnsPath);
    else this.#held.set(netnsPath, key);
    this.logger.debug({ netnsPath, nodes: spec?.nodes.length ?? 0 }, 'mesh reply routing programmed');
  }

  /** The sandbox is gone: forget it (its namespace took its rules with it). */
  forget(netnsPath: string): void {
    this.#held.delete(netnsPath);
  }
}

/** The interface holding `address` in `ip -j -4 addr show` output. */
function deviceWith(links: readonly JsonRecord[], address: string): string | undefined {
  for (const l of links) {
    const infos = Array.isArray(l['addr_info']) ? (l['addr_info'] as JsonRecord[]) : [];
    if (infos.some((a) => a['local'] === address) && typeof l['ifname'] === 'string') return l['ifname'];
  }
  return undefined;
}

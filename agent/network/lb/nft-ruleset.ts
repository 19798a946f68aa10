// Pure generation of shoal's nftables rulesets, in nft's JSON schema. Two tables:
//
// `table ip shoal_lb`, in each task's network namespace (VIP load balancing, DNS redirect):
//   map vips { type ipv4_addr : verdict }             VIP → goto its chain
//   chain nat-output  (nat, hook output, prio -110)   jump dns; ip daddr vmap @vips
//   chain dns                                         127.0.0.11:53 → the embedded DNS listener
//   chain vip-A-B-C-D  (one per VIP)                  icmp echo → 127.0.0.1 (ping answers);
//                                                     dnat to numgen inc mod N map {0: b0, …}
//                                                     or, with no backend, reject
//
// `table ip shoal_mesh`, in a node's namespace (routing mesh and host-mode ports):
//   map ports { type inet_proto . inet_service : verdict }   proto . port → goto its chain
//   chain nat-prerouting (nat, prerouting, -110)  fib daddr type local … vmap @ports
//   chain nat-output     (nat, output, -110)      the same for the node's own connections
//   chain nat-postrouting (nat, postrouting, 100) ct status dnat ip daddr INGRESS masquerade
//   chain port-PROTO-PORT (one per port)          dnat to numgen inc mod N map {…} : target
//                                                 or, ingress with no backend, reject
//
// One VIP (or port) = one chain holding one balancing rule, so a change to a service rewrites
// only its chain: `flush chain` + `add rule` in the same transaction. (nft 1.0.6's JSON input
// cannot declare a named map keyed by numgen's integer — `typeof` exists only in the text
// syntax — so each service's backend map is the anonymous map inside its one rule.)

import type { Json, NftChain, NftCommand, NftObject, NftRule } from '../nft-json.js';
import { FAMILY } from '../nft-json.js';
import type { NormalNodeSpec, NormalPort, NormalSandboxSpec, SandboxDnsRedirect } from './lb-spec.js';
import type { PortProtocol } from '../../../api/objects/common.js';

export const LB_TABLE = 'shoal_lb';
export const MESH_TABLE = 'shoal_mesh';
/** Before iptables' nat chains (-100), so Docker's own DNS redirect in a container cannot win. */
export const DSTNAT_PRIORITY = -110;
export const SRCNAT_PRIORITY = 100;

export const VIPS_MAP = 'vips';
export const PORTS_MAP = 'ports';
export const DNS_CHAIN = 'dns';

export function vipChain(vip: string): string {
  return `vip-${vip.replaceAll('.', '-')}`;
}

export function portChain(protocol: PortProtocol, port: number): string {
  return `port-${protocol}-${port}`;
}

const table = (name: string): NftObject => ({ table: { family: FAMILY, name } });
const chain = (
  tableName: string,
  name: string,
  base?: Omit<NftChain, 'family' | 'table' | 'name'>,
): NftObject => ({
  chain: { family: FAMILY, table: tableName, name, ...base },
});
const rule = (tableName: string, chainName: string, expr: readonly Json[]): NftCommand => ({
  add: { rule: { family: FAMILY, table: tableName, chain: chainName, expr } satisfies NftRule },
});

const match = (left: Json, right: Json, op = '=='): Json => ({ match: { op, left, right } });
const payload = (protocol: string, field: string): Json => ({ payload: { protocol, field } });
const l4proto: Json = { meta: { key: 'l4proto' } };
const goto = (target: string): Json => ({ goto: { target } });

/** `dnat to numgen inc mod N map { 0 : b0, 1 : b1, … }` (with `: port` when given). */
function roundRobinDnat(backends: readonly string[], port?: number): Json {
  const map: Json = {
    map: {
      key: { numgen: { mode: 'inc', mod: backends.length, offset: 0 } },
      data: { set: backends.map((b, i) => [i, b]) },
    },
  };
  return { dnat: port === undefined ? { addr: map } : { addr: map, port } };
}

function rejectFor(protocol: PortProtocol | 'any'): Json[][] {
  const tcpReset = [match(l4proto, 'tcp'), { reject: { type: 'tcp reset' } }];
  const icmpUnreachable = [{ reject: { type: 'icmp', expr: 'port-unreachable' } }];
  if (protocol === 'tcp') return [tcpReset];
  if (protocol === 'any') return [tcpReset, icmpUnreachable];
  return [[match(l4proto, protocol), ...icmpUnreachable]];
}

/** Removes a table if it exists (adding first makes the delete succeed either way). */
export function deleteTable(name: string): NftCommand[] {
  return [{ add: table(name) }, { delete: table(name) }];
}

// ---------------------------------------------------------------- sandbox (table ip shoal_lb)

/** The rules of one VIP's chain. */
export function vipRules(vip: string, backends: readonly string[]): NftCommand[] {
  const c = vipChain(vip);
  const ping = rule(LB_TABLE, c, [
    match(payload('icmp', 'type'), 'echo-request'),
    { dnat: { addr: '127.0.0.1' } },
  ]);
  if (backends.length === 0) return [ping, ...rejectFor('any').map((e) => rule(LB_TABLE, c, e))];
  return [ping, rule(LB_TABLE, c, [roundRobinDnat(backends)])];
}

export function addVip(vip: string, backends: readonly string[]): NftCommand[] {
  return [
    { add: chain(LB_TABLE, vipChain(vip)) },
    ...vipRules(vip, backends),
    {
      add: {
        element: { family: FAMILY, table: LB_TABLE, name: VIPS_MAP, elem: [[vip, goto(vipChain(vip))]] },
      },
    },
  ];
}

export function updateVip(vip: string, backends: readonly string[]): NftCommand[] {
  return [{ flush: chain(LB_TABLE, vipChain(vip)) }, ...vipRules(vip, backends)];
}

export function removeVip(vip: string): NftCommand[] {
  return [
    { delete: { element: { family: FAMILY, table: LB_TABLE, name: VIPS_MAP, elem: [vip] } } },
    { flush: chain(LB_TABLE, vipChain(vip)) },
    { delete: chain(LB_TABLE, vipChain(vip)) },
  ];
}

/** The DNS chain's rules: queries to address:53 go to the listener's ports. */
export function dnsRules(dns: SandboxDnsRedirect | undefined): NftCommand[] {
  if (!dns) return [];
  return (
    [
      ['udp', dns.udpPort],
      ['tcp', dns.tcpPort],
    ] as const
  ).map(([proto, port]) =>
    rule(LB_TABLE, DNS_CHAIN, [
      match(payload('ip', 'daddr'), dns.address),
      match(payload(proto, 'dport'), 53),
      { dnat: { addr: dns.address, port } },
    ]),
  );
}

export function setDns(dns: SandboxDnsRedirect | undefined): NftCommand[] {
  return [{ flush: chain(LB_TABLE, DNS_CHAIN) }, ...dnsRules(dns)];
}

/** The whole sandbox table; with `replace`, whatever table was there goes in the same transaction. */
export function sandboxRuleset(spec: NormalSandboxSpec, replace: boolean): NftCommand[] {
  return [
    ...(replace ? deleteTable(LB_TABLE) : []),
    { add: table(LB_TABLE) },
    { add: { map: { family: FAMILY, table: LB_TABLE, name: VIPS_MAP, type: 'ipv4_addr', map: 'verdict' } } },
    { add: chain(LB_TABLE, DNS_CHAIN) },
    ...dnsRules(spec.dns),
    ...[...spec.services].flatMap(([vip, backends]) => addVip(vip, backends)),
    {
      add: chain(LB_TABLE, 'nat-output', {
        type: 'nat',
        hook: 'output',
        prio: DSTNAT_PRIORITY,
        policy: 'accept',
      }),
    },
    rule(LB_TABLE, 'nat-output', [{ jump: { target: DNS_CHAIN } }]),
    rule(LB_TABLE, 'nat-output', [{ vmap: { key: payload('ip', 'daddr'), data: `@${VIPS_MAP}` } }]),
  ];
}

// ------------------------------------------------------------------ node (table ip shoal_mesh)

/**
 * The packet mark of a connection to a port that keeps the client's address: set with its DNAT,
 * it exempts the connection's first packet from the masquerade (NAT is decided once per
 * connection, on that packet). Only shoal's mesh table sets or reads it.
 */
export const PRESERVE_CLIENT_IP_MARK = 0x5348_4c01;

const setPreserveMark: Json = { mangle: { key: { meta: { key: 'mark' } }, value: PRESERVE_CLIENT_IP_MARK } };

export function portRules(p: NormalPort): NftCommand[] {
  const c = portChain(p.protocol, p.publishedPort);
  if (p.backends.length === 0) return rejectFor(p.protocol).map((e) => rule(MESH_TABLE, c, e));
  const mark = p.preserveClientIp === true ? [setPreserveMark] : [];
  return [
    rule(MESH_TABLE, c, [match(l4proto, p.protocol), ...mark, roundRobinDnat(p.backends, p.targetPort)]),
  ];
}

function portElem(p: NormalPort): Json {
  return { concat: [p.protocol, p.publishedPort] };
}

export function addPort(p: NormalPort): NftCommand[] {
  const c = portChain(p.protocol, p.publishedPort);
  return [
    { add: chain(MESH_TABLE, c) },
    ...portRules(p),
    {
      add: {
        element: { family: FAMILY, table: MESH_TABLE, name: PORTS_MAP, elem: [[portElem(p), goto(c)]] },
      },
    },
  ];
}

export function updatePort(p: NormalPort): NftCommand[] {
  return [{ flush: chain(MESH_TABLE, portChain(p.protocol, p.publishedPort)) }, ...portRules(p)];
}

export function removePort(p: Pick<NormalPort, 'protocol' | 'publishedPort'>): NftCommand[] {
  const c = portChain(p.protocol, p.publishedPort);
  return [
    {
      delete: {
        element: {
          family: FAMILY,
          table: MESH_TABLE,
          name: PORTS_MAP,
          elem: [{ concat: [p.protocol, p.publishedPort] }],
        },
      },
    },
    { flush: chain(MESH_TABLE, c) },
    { delete: chain(MESH_TABLE, c) },
  ];
}

export function masqueradeRules(ingressSubnet: string | undefined): NftCommand[] {
  if (ingressSubnet === undefined) return [];
  const [addr, len] = ingressSubnet.split('/');
  return [
    // A port that keeps the client's address: not masqueraded.
    rule(MESH_TABLE, 'nat-postrouting', [
      match({ meta: { key: 'mark' } }, PRESERVE_CLIENT_IP_MARK),
      { accept: null },
    ]),
    rule(MESH_TABLE, 'nat-postrouting', [
      match({ ct: { key: 'status' } }, 'dnat', 'in'),
      match(payload('ip', 'daddr'), { prefix: { addr: addr ?? '', len: Number(len) } }),
      { masquerade: null },
    ]),
  ];
}

export function setMasquerade(ingressSubnet: string | undefined): NftCommand[] {
  return [{ flush: chain(MESH_TABLE, 'nat-postrouting') }, ...masqueradeRules(ingressSubnet)];
}

function localDispatch(excludeLoopback: boolean): Json[] {
  return [
    ...(excludeLoopback
      ? [match(payload('ip', 'daddr'), { prefix: { addr: '127.0.0.0', len: 8 } }, '!=')]
      : []),
    match({ fib: { result: 'type', flags: ['daddr'] } }, 'local'),
    { vmap: { key: { concat: [l4proto, payload('th', 'dport')] }, data: `@${PORTS_MAP}` } },
  ];
}

/** The whole node table; with `replace`, whatever table was there goes in the same transaction. */
export function nodeRuleset(spec: NormalNodeSpec, replace: boolean): NftCommand[] {
  const nat = (
    hook: 'prerouting' | 'output' | 'postrouting',
    prio: number,
  ): Omit<NftChain, 'family' | 'table' | 'name'> => ({
    type: 'nat',
    hook,
    prio,
    policy: 'accept',
  });
  return [
    ...(replace ? deleteTable(MESH_TABLE) : []),
    { add: table(MESH_TABLE) },
    {
      add: {
        map: {
          family: FAMILY,
          table: MESH_TABLE,
          name: PORTS_MAP,
          type: ['inet_proto', 'inet_service'],
          map: 'verdict',
        },
      },
    },
    ...[...spec.ports.values()].flatMap(addPort),
    { add: chain(MESH_TABLE, 'nat-prerouting', nat('prerouting', DSTNAT_PRIORITY)) },
    rule(MESH_TABLE, 'nat-prerouting', localDispatch(false)),
    { add: chain(MESH_TABLE, 'nat-output', nat('output', DSTNAT_PRIORITY)) },
    // A connection from 127.0.0.1 cannot be routed to another host once DNATed: loopback is left alone.
    rule(MESH_TABLE, 'nat-output', localDispatch(true)),
    { add: chain(MESH_TABLE, 'nat-postrouting', nat('postrouting', SRCNAT_PRIORITY)) },
    ...masqueradeRules(spec.ingressSubnet),
  ];
}

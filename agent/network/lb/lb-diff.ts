// The minimal nftables transaction that takes a table from one applied spec to the next: only
// the VIPs (or published ports) whose backends changed are touched, so the work is proportional
// to the change, not to the number of services. Pure.

import type { NormalNodeSpec, NormalPort, NormalSandboxSpec, SandboxDnsRedirect } from './lb-spec.js';
import type { NftCommand } from '../nft-json.js';
import {
  addPort,
  addVip,
  removePort,
  removeVip,
  setDns,
  setMasquerade,
  updatePort,
  updateVip,
} from './nft-ruleset.js';

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameDns(a: SandboxDnsRedirect | undefined, b: SandboxDnsRedirect | undefined): boolean {
  if (!a || !b) return a === b;
  return a.address === b.address && a.udpPort === b.udpPort && a.tcpPort === b.tcpPort;
}

/** Whether two ports program the same rules (a port without backends rejects whatever its target). */
export function samePortRules(a: NormalPort, b: NormalPort): boolean {
  if (!sameList(a.backends, b.backends)) return false;
  if ((a.preserveClientIp === true) !== (b.preserveClientIp === true)) return false;
  return a.backends.length === 0 || a.targetPort === b.targetPort;
}

export function sandboxChanges(prev: NormalSandboxSpec, next: NormalSandboxSpec): NftCommand[] {
  const out: NftCommand[] = [];
  for (const vip of prev.services.keys()) if (!next.services.has(vip)) out.push(...removeVip(vip));
  for (const [vip, backends] of next.services) {
    const before = prev.services.get(vip);
    if (before === undefined) out.push(...addVip(vip, backends));
    else if (!sameList(before, backends)) out.push(...updateVip(vip, backends));
  }
  if (!sameDns(prev.dns, next.dns)) out.push(...setDns(next.dns));
  return out;
}

export function nodeChanges(prev: NormalNodeSpec, next: NormalNodeSpec): NftCommand[] {
  const out: NftCommand[] = [];
  for (const [key, p] of prev.ports) if (!next.ports.has(key)) out.push(...removePort(p));
  for (const [key, p] of next.ports) {
    const before = prev.ports.get(key);
    if (before === undefined) out.push(...addPort(p));
    else if (!samePortRules(before, p)) out.push(...updatePort(p));
  }
  if (prev.ingressSubnet !== next.ingressSubnet) out.push(...setMasquerade(next.ingressSubnet));
  return out;
}

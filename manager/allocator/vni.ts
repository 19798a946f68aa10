// VXLAN network identifiers: one per overlay network, from Swarm's range (4096 up to 2^24-1),
// handed out serially (the next after the last one given, wrapping), so an identifier freed by
// a removed network is reused only after the others.

import { VXLANID_OPTION } from '../../api/objects/network.js';
import { VniExhaustedError } from './errors.js';

export { VXLANID_OPTION };

export const VNI_START = 4096;
export const VNI_END = 2 ** 24 - 1;

/** The first free identifier after `last` (wrapping to VNI_START). */
export function pickVni(taken: ReadonlySet<number>, last: number): number {
  const span = VNI_END - VNI_START + 1;
  const start = last >= VNI_START && last <= VNI_END ? last - VNI_START + 1 : 0;
  for (let i = 0; i < span; i++) {
    const vni = VNI_START + ((start + i) % span);
    if (!taken.has(vni)) return vni;
  }
  throw new VniExhaustedError();
}

/** The identifier a network's driver state records, or undefined. */
export function vniOf(options: Readonly<Record<string, string>> | undefined): number | undefined {
  const text = options?.[VXLANID_OPTION];
  if (text === undefined || !/^[0-9]+$/.test(text)) return undefined;
  const vni = Number(text);
  return vni >= VNI_START && vni <= VNI_END ? vni : undefined;
}

// Allocating a network: its subnet (the user's, checked against every other network's, or the
// next free one of the default pools), its gateway, and a VNI; recorded in the ledger and
// returned as the IPAM and driver state to write into the Network object.

import type { Driver, IPAMOptions, Network } from '../../api/objects/index.js';
import { checkNoOverlap, ipamConfigOf, subnetsOf, type NetworkAddressing } from './ipam-config.js';
import type { AllocationLedger } from './ledger.js';
import { checkNetworkSpec, OVERLAY_DRIVER } from './network-spec-check.js';
import { DEFAULT_ADDR_POOL, DEFAULT_SUBNET_SIZE, pickSubnet } from './subnet-pick.js';
import { vniOf, VXLANID_OPTION } from './vni.js';

/** The cluster settings subnets come from (Cluster.defaultAddrPool and subnetSize). */
export interface AddressPoolSettings {
  readonly defaultAddrPool: readonly string[];
  readonly subnetSize: number;
}

export const DEFAULT_POOL_SETTINGS: AddressPoolSettings = {
  defaultAddrPool: DEFAULT_ADDR_POOL,
  subnetSize: DEFAULT_SUBNET_SIZE,
};

export interface NetworkAllocation {
  readonly ipam: IPAMOptions;
  readonly driverState: Driver;
}

/** True when the network's recorded allocation is the one the ledger holds. */
export function isNetworkAllocated(ledger: AllocationLedger, n: Network): boolean {
  const entry = ledger.network(n.id);
  return (
    entry !== undefined && n.ipam?.configs[0] !== undefined && vniOf(n.driverState?.options) === entry.vni
  );
}

/**
 * Allocates `network` (whose allocation is missing) and records it in the ledger. `others` are
 * the other networks in the store. Throws an AllocatorError when it cannot be done.
 */
export function planNetwork(
  ledger: AllocationLedger,
  network: Network,
  others: readonly Network[],
  settings: AddressPoolSettings = DEFAULT_POOL_SETTINGS,
): NetworkAllocation {
  const rest = others.filter((o) => o.id !== network.id);
  let addressing: NetworkAddressing | undefined = checkNetworkSpec(network.spec);
  if (addressing !== undefined) {
    checkNoOverlap(addressing.subnet, rest);
  } else {
    const taken = [...ledger.subnets(), ...rest.flatMap(subnetsOf)];
    const subnet = pickSubnet(settings.defaultAddrPool, settings.subnetSize, taken);
    addressing = { subnet, range: subnet, explicitRange: false, gateway: subnet.base + 1 };
  }
  const vni = ledger.nextVni();
  if (ledger.addNetwork(network.id, addressing, vni) === undefined) {
    throw new Error(`broken invariant: VNI ${vni} chosen as free is held`);
  }
  return {
    ipam: { driver: { name: 'default', options: {} }, configs: [ipamConfigOf(addressing)] },
    driverState: {
      name: OVERLAY_DRIVER,
      options: { ...(network.spec.driverConfig?.options ?? {}), [VXLANID_OPTION]: String(vni) },
    },
  };
}

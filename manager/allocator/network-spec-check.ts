// What the allocator can build from a network spec: an overlay network (driver "overlay", or
// none given), IPv4 only, at most one user-given subnet, not encrypted. The API refuses the
// rest at create time with Docker's messages; the allocator checks again before allocating.

import type { NetworkSpec } from '../../api/objects/index.js';
import { EncryptedNetworkError, UnsupportedNetworkError } from './errors.js';
import { parseIpamConfig, type NetworkAddressing } from './ipam-config.js';

export const OVERLAY_DRIVER = 'overlay';
/** `--opt encrypted`: Docker's option for IPsec between overlay peers. */
export const ENCRYPTED_OPTION = 'encrypted';
/** `--opt com.docker.network.driver.mtu=N`: the overlay MTU the user wants. */
export const MTU_OPTION = 'com.docker.network.driver.mtu';

export function isEncrypted(spec: NetworkSpec): boolean {
  return Object.hasOwn(spec.driverConfig?.options ?? {}, ENCRYPTED_OPTION);
}

/**
 * Checks the spec and returns the user's addressing, if they gave a subnet (undefined: the
 * allocator picks one from the default pools).
 */
export function checkNetworkSpec(spec: NetworkSpec): NetworkAddressing | undefined {
  const driver = spec.driverConfig?.name ?? '';
  if (driver !== '' && driver !== OVERLAY_DRIVER) {
    throw new UnsupportedNetworkError(`network driver "${driver}" is not supported: use "${OVERLAY_DRIVER}"`);
  }
  if (isEncrypted(spec)) throw new EncryptedNetworkError();
  if (spec.ipv6Enabled) throw new UnsupportedNetworkError('IPv6 overlay networks are not supported yet');
  const mtu = spec.driverConfig?.options[MTU_OPTION];
  if (mtu !== undefined && !(/^[0-9]+$/.test(mtu) && Number(mtu) >= 68 && Number(mtu) <= 65535)) {
    throw new UnsupportedNetworkError(`invalid MTU ${JSON.stringify(mtu)}: use a number from 68 to 65535`);
  }
  const configs = spec.ipam?.configs ?? [];
  if (configs.length > 1) {
    throw new UnsupportedNetworkError('a network can have only one subnet: give --subnet once');
  }
  const ipamDriver = spec.ipam?.driver?.name ?? '';
  if (ipamDriver !== '' && ipamDriver !== 'default') {
    throw new UnsupportedNetworkError(`IPAM driver "${ipamDriver}" is not supported: use "default"`);
  }
  const [config] = configs;
  return config === undefined ? undefined : parseIpamConfig(config);
}

/** The MTU the spec asks for, if any. */
export function mtuOf(spec: NetworkSpec): number | undefined {
  const mtu = spec.driverConfig?.options[MTU_OPTION];
  return mtu === undefined || !/^[0-9]+$/.test(mtu) ? undefined : Number(mtu);
}

// Names and marks of the links shoal makes on a node. Interface names hold at most 15 characters,
// so IDs are cut to 12. Every link also carries an alias `shoal:<kind>:<id>`, so what shoal made
// can be found (adopted after a restart, removed at teardown) without any record of it.

/** Alias prefix of every link shoal makes. */
export const ALIAS_PREFIX = 'shoal:';

export type LinkKind = 'overlay' | 'endpoint' | 'gateway';

export function linkAlias(kind: LinkKind, id: string): string {
  return `${ALIAS_PREFIX}${kind}:${id}`;
}

/** The kind and ID in an alias made by linkAlias, if it is one. */
export function parseAlias(alias: string): { kind: LinkKind; id: string } | undefined {
  const m = /^shoal:(overlay|endpoint|gateway):(.*)$/.exec(alias);
  if (!m?.[1] || m[2] === undefined) return undefined;
  return { kind: m[1] as LinkKind, id: m[2] };
}

const short = (id: string): string => id.replace(/[^a-zA-Z0-9]/g, '').slice(0, 12);

/** The bridge of an overlay network (by cluster network ID). */
export function overlayBridgeName(networkId: string): string {
  return `ov-${short(networkId)}`;
}

/** The VXLAN device of an overlay network. */
export function vxlanName(networkId: string): string {
  return `vx-${short(networkId)}`;
}

/** The bridge side of an endpoint's veth pair. */
export function endpointHostVeth(endpointId: string): string {
  return `ve-${short(endpointId)}`;
}

/** The container side of an endpoint's veth pair (dockerd renames it eth<N> in the sandbox). */
export function endpointContainerVeth(endpointId: string): string {
  return `vc-${short(endpointId)}`;
}

/**
 * Whether an interface name is one shoal makes (a network's bridge or VXLAN device, an
 * endpoint's veth, the gateway bridge): never a node's own address to advertise.
 */
export function isShoalLinkName(name: string): boolean {
  return /^(ov|vx|ve|vc)-/.test(name) || name === 'shoal_gwbridge';
}

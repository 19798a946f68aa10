// The links of one endpoint: a veth pair with one end plugged into a bridge (the overlay
// network's, or the gateway bridge for a sandbox's egress endpoint, where ports are isolated from
// each other) and the other handed to dockerd at Join, which moves it into the container once the
// container's network namespace exists and names it eth<N>.

import type { IpRoute } from '../overlay/iproute.js';
import { endpointContainerVeth, endpointHostVeth, linkAlias } from '../overlay/link-names.js';

export interface EndpointLinkSpec {
  readonly endpointId: string;
  readonly bridge: string;
  readonly mtu: number;
  /** The container side's MAC (the one every peer node has in its forwarding entries). */
  readonly mac: string;
  /** Isolate the bridge port from the bridge's other isolated ports (gateway bridge). */
  readonly isolated: boolean;
}

/** Creates the endpoint's veth pair (replacing a leftover one); returns the container side's name. */
export async function createEndpointLink(ip: IpRoute, spec: EndpointLinkSpec): Promise<string> {
  const host = endpointHostVeth(spec.endpointId);
  const container = endpointContainerVeth(spec.endpointId);
  await ip.ip([
    ...((await ip.linkExists(host)) ? [`link del ${host}`] : []),
    `link add ${host} mtu ${spec.mtu} type veth peer name ${container} mtu ${spec.mtu} address ${spec.mac}`,
    `link set ${host} alias ${linkAlias('endpoint', spec.endpointId)}`,
    `link set ${host} master ${spec.bridge}`,
    ...(spec.isolated ? [`link set dev ${host} type bridge_slave isolated on`] : []),
    `link set ${host} up`,
  ]);
  return container;
}

/** Removes the endpoint's veth pair if it is still there (with either end, both go). */
export async function deleteEndpointLink(ip: IpRoute, endpointId: string): Promise<void> {
  for (const name of [endpointHostVeth(endpointId), endpointContainerVeth(endpointId)]) {
    if (await ip.linkExists(name)) await ip.ip([`link del ${name}`]);
  }
}

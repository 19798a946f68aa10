// What a CreateNetwork request means for shoal (pure): one of the cluster's overlay networks
// (the attacher puts its ID and VNI in the driver options), or the engine's docker_gwbridge
// network served by the gateway bridge. Anything else was not made by shoal and is refused.

import { parseCidr, stripPrefix } from '../overlay/addresses.js';
import type { NetworkRecord } from './driver-state.js';
import { DriverError } from './errors.js';
import {
  GENERIC_OPTIONS,
  INTERNAL_OPTION,
  OPT_GATEWAY,
  OPT_INTERNAL,
  OPT_DATA_PATH_PORT,
  OPT_MTU,
  OPT_NETWORK_ID,
  OPT_VNI,
  type PluginCreateNetworkRequest,
} from './protocol.js';

function optionString(options: Record<string, unknown>, key: string): string | undefined {
  const v = options[key];
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function networkSettings(req: PluginCreateNetworkRequest): NetworkRecord {
  const options = req.Options ?? {};
  const rawGeneric = options[GENERIC_OPTIONS];
  const generic =
    typeof rawGeneric === 'object' && rawGeneric !== null ? (rawGeneric as Record<string, unknown>) : {};
  const ipv4 = req.IPv4Data?.[0];
  if (ipv4 === undefined) {
    throw new DriverError(
      'DRIVER_BAD_REQUEST',
      `network ${req.NetworkID} has no IPv4 subnet; shoal networks need one`,
    );
  }
  const c = parseCidr(ipv4.Pool);
  const base = {
    dockerId: req.NetworkID,
    subnet: `${c.network}/${c.prefix}`,
    ...(ipv4.Gateway ? { gateway: stripPrefix(ipv4.Gateway) } : {}),
  };
  if (optionString(generic, OPT_GATEWAY) === 'true') return { kind: 'gateway', ...base };

  const clusterId = optionString(generic, OPT_NETWORK_ID);
  const vniText = optionString(generic, OPT_VNI);
  if (clusterId === undefined || vniText === undefined) {
    throw new DriverError(
      'DRIVER_NOT_SHOAL_NETWORK',
      `the shoal driver runs the cluster's overlay networks only (options ${OPT_NETWORK_ID} and ${OPT_VNI} are ` +
        'missing): create the network with `shoal network create -d overlay` (or `docker network create -d ' +
        'overlay` against shoald), and shoal attaches tasks to it on every node',
    );
  }
  const vni = Number(vniText);
  if (!Number.isInteger(vni) || vni < 1 || vni > 0xffffff) {
    throw new DriverError('DRIVER_BAD_REQUEST', `option ${OPT_VNI}=${vniText} is not a VNI (1..16777215)`);
  }
  const internal = optionString(generic, OPT_INTERNAL) === 'true' || options[INTERNAL_OPTION] === true;
  const mtuText = optionString(generic, OPT_MTU);
  const mtu = mtuText === undefined ? undefined : Number(mtuText);
  if (mtu !== undefined && !(Number.isInteger(mtu) && mtu >= 68 && mtu <= 65535)) {
    throw new DriverError('DRIVER_BAD_REQUEST', `option ${OPT_MTU}=${mtuText} is not an MTU (68..65535)`);
  }
  const portText = optionString(generic, OPT_DATA_PATH_PORT);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new DriverError('DRIVER_BAD_REQUEST', `option ${OPT_DATA_PATH_PORT}=${portText} is not a UDP port`);
  }
  return {
    kind: 'overlay',
    ...base,
    clusterId,
    vni,
    ...(mtu === undefined ? {} : { mtu }),
    ...(port === undefined ? {} : { dataPathPort: port }),
    internal,
  };
}

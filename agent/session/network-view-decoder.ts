// The network view an AssignmentsMessage carries (JSON of api/network/network-view.ts), or an
// update of it (network-view-update.ts), checked before the data plane programs anything from it:
// it must be this node's, within a size limit, and every network, endpoint and service must have
// the fields the overlay needs.

import { MalformedMessageError } from '../../api/wire/errors.js';
import type { NodeNetworkView } from '../../api/network/network-view.js';
import type { NodeNetworkViewUpdate } from '../../api/network/network-view-update.js';
import { MAX_VIEW_BYTES } from '../../api/wire/limits.js';

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Rec, k: string, path: string): void {
  if (typeof o[k] !== 'string')
    throw new MalformedMessageError(`network view: ${path}.${k} must be a string`);
}

function parse(bytes: Uint8Array, what: string): unknown {
  if (bytes.byteLength > MAX_VIEW_BYTES) {
    throw new MalformedMessageError(`${what} is ${bytes.byteLength} bytes, more than ${MAX_VIEW_BYTES}`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e: unknown) {
    throw new MalformedMessageError(
      `${what} is not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

function checkHeader(n: unknown, path: string): asserts n is Rec {
  if (!isRec(n)) throw new MalformedMessageError(`network view: ${path} must be an object`);
  for (const k of ['networkId', 'name', 'subnet', 'gateway']) str(n, k, path);
  if (!Number.isSafeInteger(n['vni']))
    throw new MalformedMessageError(`network view: ${path}.vni must be an integer`);
  const port = n['dataPathPort'];
  if (
    port !== undefined &&
    !(Number.isSafeInteger(port) && (port as number) >= 1 && (port as number) <= 65535)
  )
    throw new MalformedMessageError(`network view: ${path}.dataPathPort must be a UDP port (1..65535)`);
}

function checkEndpoints(list: unknown, path: string): void {
  if (!Array.isArray(list)) throw new MalformedMessageError(`network view: ${path} must be a list`);
  list.forEach((e: unknown, j: number) => {
    if (!isRec(e)) throw new MalformedMessageError(`network view: ${path}[${j}] must be an object`);
    for (const k of ['address', 'mac', 'nodeAddr', 'nodeId']) str(e, k, `${path}[${j}]`);
    if (e['kind'] === 'task') str(e, 'taskId', `${path}[${j}]`);
    else if (e['kind'] !== 'ingress-sandbox')
      throw new MalformedMessageError(`network view: ${path}[${j}].kind is unknown`);
  });
}

function checkServiceHeader(sv: unknown, path: string): asserts sv is Rec {
  if (!isRec(sv) || typeof sv['serviceId'] !== 'string' || typeof sv['name'] !== 'string')
    throw new MalformedMessageError(`network view: ${path} needs a serviceId and a name`);
}

function checkBackends(list: unknown, path: string): void {
  if (!Array.isArray(list)) throw new MalformedMessageError(`network view: ${path} must be a list`);
  list.forEach((b: unknown, j: number) => {
    if (!isRec(b)) throw new MalformedMessageError(`network view: ${path}[${j}] must be an object`);
    for (const k of ['taskId', 'address', 'nodeId']) str(b, k, `${path}[${j}]`);
  });
}

function checkServices(list: unknown, path: string): void {
  if (!Array.isArray(list)) throw new MalformedMessageError(`network view: ${path} must be a list`);
  list.forEach((sv: unknown, j: number) => {
    checkServiceHeader(sv, `${path}[${j}]`);
    checkBackends(sv['backends'], `${path}[${j}].backends`);
  });
}

function checkServicePatches(list: unknown, path: string): void {
  if (!Array.isArray(list)) throw new MalformedMessageError(`network view: ${path} must be a list`);
  list.forEach((p: unknown, j: number) => {
    if (!isRec(p)) throw new MalformedMessageError(`network view: ${path}[${j}] must be an object`);
    checkServiceHeader(p['header'], `${path}[${j}].header`);
    checkStrings(p['removedBackends'], `${path}[${j}].removedBackends`);
    checkBackends(p['backends'], `${path}[${j}].backends`);
  });
}

function checkNetwork(n: unknown, path: string): void {
  checkHeader(n, path);
  checkEndpoints(n['endpoints'], `${path}.endpoints`);
  checkServices(n['services'], `${path}.services`);
}

function checkStrings(list: unknown, path: string): void {
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
    throw new MalformedMessageError(`network view: ${path} must be a list of strings`);
}

function checkHostPorts(hostPorts: unknown): void {
  if (hostPorts === undefined) return;
  if (!Array.isArray(hostPorts)) throw new MalformedMessageError('network view: hostPorts must be a list');
  hostPorts.forEach((h: unknown, i: number) => {
    const path = `hostPorts[${i}]`;
    if (!isRec(h) || typeof h['taskId'] !== 'string' || !Array.isArray(h['ports'])) {
      throw new MalformedMessageError(`network view: ${path} needs a taskId and ports`);
    }
    h['ports'].forEach((p: unknown, j: number) => {
      const ok =
        isRec(p) &&
        typeof p['protocol'] === 'string' &&
        Number.isInteger(p['targetPort']) &&
        Number.isInteger(p['publishedPort']);
      if (!ok) throw new MalformedMessageError(`network view: ${path}.ports[${j}] is not a port`);
    });
  });
}

function checkNode(v: unknown, nodeId: string, what: string): asserts v is Rec & { networks: unknown[] } {
  if (!isRec(v) || v['nodeId'] !== nodeId || !Array.isArray(v['networks'])) {
    throw new MalformedMessageError(`${what} is not this node's (nodeId and networks expected)`);
  }
  checkHostPorts(v['hostPorts']);
}

export function decodeNetworkView(bytes: Uint8Array, nodeId: string): NodeNetworkView {
  const v = parse(bytes, 'network view');
  checkNode(v, nodeId, 'network view');
  v.networks.forEach((n, i) => checkNetwork(n, `networks[${i}]`));
  return v as unknown as NodeNetworkView;
}

/** An update of the view (network-view-update.ts), checked the same way. */
export function decodeNetworkViewUpdate(bytes: Uint8Array, nodeId: string): NodeNetworkViewUpdate {
  const v = parse(bytes, 'network view update');
  checkNode(v, nodeId, 'network view update');
  v.networks.forEach((entry, i) => {
    const path = `networks[${i}]`;
    const keys = isRec(entry) ? Object.keys(entry) : [];
    if (!isRec(entry) || keys.length !== 1)
      throw new MalformedMessageError(`network view update: ${path} must hold one of keep, patch, full`);
    if (keys[0] === 'keep') {
      if (typeof entry['keep'] !== 'string')
        throw new MalformedMessageError(`network view update: ${path}.keep must be a network ID`);
    } else if (keys[0] === 'full') {
      checkNetwork(entry['full'], `${path}.full`);
    } else if (keys[0] === 'patch') {
      const p = entry['patch'];
      if (!isRec(p)) throw new MalformedMessageError(`network view update: ${path}.patch must be an object`);
      checkHeader(p['header'], `${path}.patch.header`);
      checkEndpoints(p['endpoints'], `${path}.patch.endpoints`);
      checkServicePatches(p['services'], `${path}.patch.services`);
      checkStrings(p['removedEndpoints'], `${path}.patch.removedEndpoints`);
      checkStrings(p['removedServices'], `${path}.patch.removedServices`);
    } else {
      throw new MalformedMessageError(`network view update: ${path} must hold one of keep, patch, full`);
    }
  });
  return v as unknown as NodeNetworkViewUpdate;
}

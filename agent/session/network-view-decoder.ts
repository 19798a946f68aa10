// The network view an AssignmentsMessage carries (JSON of agent/network/network-view.ts), checked
// before the data plane programs anything from it: it must be this node's, within a size limit,
// and every network and endpoint must have the fields the overlay needs.

import { MalformedMessageError } from '../../manager/dispatcher/errors.js';
import type { NodeNetworkView } from '../network/network-view.js';

const MAX_VIEW_BYTES = 16 * 1024 * 1024;

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Rec, k: string, path: string): void {
  if (typeof o[k] !== 'string')
    throw new MalformedMessageError(`network view: ${path}.${k} must be a string`);
}

export function decodeNetworkView(bytes: Uint8Array, nodeId: string): NodeNetworkView {
  if (bytes.byteLength > MAX_VIEW_BYTES) {
    throw new MalformedMessageError(`network view is ${bytes.byteLength} bytes, more than ${MAX_VIEW_BYTES}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e: unknown) {
    throw new MalformedMessageError(
      `network view is not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (!isRec(v) || v['nodeId'] !== nodeId || !Array.isArray(v['networks'])) {
    throw new MalformedMessageError("network view is not this node's (nodeId and networks expected)");
  }
  v['networks'].forEach((n: unknown, i: number) => {
    const path = `networks[${i}]`;
    if (!isRec(n)) throw new MalformedMessageError(`network view: ${path} must be an object`);
    for (const k of ['networkId', 'name', 'subnet', 'gateway']) str(n, k, path);
    if (!Number.isSafeInteger(n['vni']))
      throw new MalformedMessageError(`network view: ${path}.vni must be an integer`);
    if (!Array.isArray(n['endpoints']) || !Array.isArray(n['services'])) {
      throw new MalformedMessageError(`network view: ${path} needs endpoints and services`);
    }
    n['endpoints'].forEach((e: unknown, j: number) => {
      if (!isRec(e))
        throw new MalformedMessageError(`network view: ${path}.endpoints[${j}] must be an object`);
      for (const k of ['address', 'mac', 'nodeAddr']) str(e, k, `${path}.endpoints[${j}]`);
    });
  });
  const hostPorts = v['hostPorts'];
  if (hostPorts !== undefined) {
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
  return v as unknown as NodeNetworkView;
}

// The byte layout of a ConfChange inside a log entry. The core writes and reads it itself, so it
// needs no serialization library: [version u8][type u8][nodeId float64 BE][context ...].

import { RaftError } from './errors.js';
import { ConfChangeType, type ConfChange } from './types.js';

const VERSION = 1;
const HEADER = 10;

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const out = new Uint8Array(HEADER + cc.context.byteLength);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, VERSION);
  dv.setUint8(1, cc.type);
  dv.setFloat64(2, cc.nodeId);
  out.set(cc.context, HEADER);
  return out;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  if (data.byteLength < HEADER) {
    throw new RaftError(
      'BAD_CONF_CHANGE',
      `conf change entry is ${data.byteLength} bytes, shorter than its ${HEADER}-byte header`,
    );
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = dv.getUint8(0);
  if (version !== VERSION)
    throw new RaftError('BAD_CONF_CHANGE', `conf change entry has unknown version ${version}`);
  const type = dv.getUint8(1);
  if (
    type !== ConfChangeType.AddNode &&
    type !== ConfChangeType.RemoveNode &&
    type !== ConfChangeType.AddLearner
  ) {
    throw new RaftError('BAD_CONF_CHANGE', `conf change entry has unknown type ${type}`);
  }
  const nodeId = dv.getFloat64(2);
  if (!Number.isSafeInteger(nodeId) || nodeId <= 0) {
    throw new RaftError('BAD_CONF_CHANGE', `conf change entry names invalid member id ${nodeId}`);
  }
  return { type, nodeId, context: data.slice(HEADER) };
}

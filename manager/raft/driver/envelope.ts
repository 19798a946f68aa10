// What RaftNode wraps around application data in the log and in snapshots:
// - a proposal carries a request ID, so the proposer's waiter can be matched when it applies;
// - a snapshot carries the member addresses next to the application's state, so a restarted
//   or newly installed member knows where its peers are.

import { RaftError } from '../errors.js';
import type { RaftId } from '../types.js';

const PROPOSAL_VERSION = 1;
const PROPOSAL_HEADER = 1 + 8 + 8;
const SNAPSHOT_VERSION = 1;

export class EnvelopeError extends RaftError {
  constructor(message: string) {
    super('ENVELOPE', message);
    this.name = 'EnvelopeError';
  }
}

export interface ProposalId {
  /** The proposing member. */
  readonly member: RaftId;
  /** Unique per member and boot (boot nonce in the high bits, counter in the low). */
  readonly seq: number;
}

export function encodeProposal(id: ProposalId, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(PROPOSAL_HEADER + payload.byteLength);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, PROPOSAL_VERSION);
  dv.setFloat64(1, id.member);
  dv.setFloat64(9, id.seq);
  out.set(payload, PROPOSAL_HEADER);
  return out;
}

export function decodeProposal(data: Uint8Array): { id: ProposalId; payload: Uint8Array } {
  if (data.byteLength < PROPOSAL_HEADER) {
    throw new EnvelopeError(
      `log entry of ${data.byteLength} bytes is shorter than the ${PROPOSAL_HEADER}-byte proposal header`,
    );
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const v = dv.getUint8(0);
  if (v !== PROPOSAL_VERSION) throw new EnvelopeError(`log entry has unknown proposal version ${v}`);
  return {
    id: { member: dv.getFloat64(1), seq: dv.getFloat64(9) },
    payload: data.subarray(PROPOSAL_HEADER),
  };
}

export interface SnapshotEnvelope {
  readonly members: ReadonlyMap<RaftId, string>;
  readonly app: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeSnapshotEnvelope(s: SnapshotEnvelope): Uint8Array {
  const members = enc.encode(JSON.stringify([...s.members]));
  const out = new Uint8Array(1 + 4 + members.byteLength + s.app.byteLength);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, SNAPSHOT_VERSION);
  dv.setUint32(1, members.byteLength);
  out.set(members, 5);
  out.set(s.app, 5 + members.byteLength);
  return out;
}

export function decodeSnapshotEnvelope(data: Uint8Array): SnapshotEnvelope {
  if (data.byteLength === 0) return { members: new Map(), app: data };
  if (data.byteLength < 5) throw new EnvelopeError(`snapshot of ${data.byteLength} bytes is too short`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const v = dv.getUint8(0);
  if (v !== SNAPSHOT_VERSION) throw new EnvelopeError(`snapshot has unknown envelope version ${v}`);
  const len = dv.getUint32(1);
  if (5 + len > data.byteLength) throw new EnvelopeError('snapshot member list runs past its end');
  let parsed: unknown;
  try {
    parsed = JSON.parse(dec.decode(data.subarray(5, 5 + len)));
  } catch {
    throw new EnvelopeError('snapshot member list is not valid JSON');
  }
  if (
    !Array.isArray(parsed) ||
    !parsed.every(
      (p: unknown) =>
        Array.isArray(p) && p.length === 2 && Number.isSafeInteger(p[0]) && typeof p[1] === 'string',
    )
  ) {
    throw new EnvelopeError('snapshot member list has the wrong shape');
  }
  return { members: new Map(parsed as [RaftId, string][]), app: data.subarray(5 + len) };
}

/** A conf change's context: the member's Raft address. */
export function encodeMemberContext(address: string): Uint8Array {
  return enc.encode(JSON.stringify({ address }));
}

export function decodeMemberContext(ctx: Uint8Array): string | undefined {
  if (ctx.byteLength === 0) return undefined;
  try {
    const o = JSON.parse(dec.decode(ctx)) as { address?: unknown };
    return typeof o.address === 'string' ? o.address : undefined;
  } catch {
    return undefined;
  }
}

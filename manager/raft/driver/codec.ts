// Bytes <-> Raft core types (types.ts), through the generated protobuf code (proto/raft.proto).
//
// Decoding is the trust boundary for what arrives from other managers and from disk: every
// decoder checks the size limit, turns protobuf parse failures into CodecError, and validates
// what protobuf cannot (enum ranges, safe integers, required combinations), so a bad peer or a
// bad disk gets a typed error instead of a half-valid object or a crashed process.
//
// Note: the generator runs with --force-number, which only changes the declared types; at run
// time protobufjs still hands back uint64 values as Long objects. `u64` below reads either form
// exactly and refuses anything above Number.MAX_SAFE_INTEGER.
//
// Decoded byte fields are views into the input buffer (no copy); do not reuse the input.

import { shoal } from '../../../proto/gen/raft.js';
import { RaftError } from '../errors.js';
import {
  ConfChangeType,
  EntryType,
  MESSAGE_TYPE_NAMES,
  MessageType,
  isLocalMessage,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type Snapshot,
  type SnapshotMetadata,
} from '../types.js';

const pb = shoal.raft;

/** Bytes that are not a valid encoding of what was expected, or a value that cannot be encoded. */
export class CodecError extends RaftError {
  constructor(message: string) {
    super('CODEC', message);
    this.name = 'CodecError';
  }
}

/** Largest input a decoder accepts unless told otherwise (64 MiB). */
export const DEFAULT_MAX_DECODE_SIZE = 64 * 1024 * 1024;

export interface DecodeOptions {
  /** Inputs longer than this many bytes are refused before parsing. */
  readonly maxSize?: number;
}

const EMPTY = new Uint8Array(0);
const ENTRY_TYPES: ReadonlySet<number> = new Set(Object.values(EntryType));
const CONF_CHANGE_TYPES: ReadonlySet<number> = new Set(Object.values(ConfChangeType));
const MESSAGE_TYPES: ReadonlySet<number> = new Set(Object.values(MessageType));

// ---- field readers: accept what protobufjs produces, refuse everything else ----

interface LongLike {
  readonly low: number;
  readonly high: number;
}

function isLongLike(v: unknown): v is LongLike {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { low?: unknown }).low === 'number' &&
    typeof (v as { high?: unknown }).high === 'number'
  );
}

/** An unsigned safe integer from a number or a protobufjs Long; `undefined`/`null` read as 0. */
function u64(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v === 0 ? 0 : v;
    throw new CodecError(`${path}: ${v} is not an unsigned safe integer`);
  }
  if (isLongLike(v)) {
    const high = v.high >>> 0;
    const low = v.low >>> 0;
    if (high > 0x1fffff) {
      const exact = (BigInt(high) << 32n) | BigInt(low);
      throw new CodecError(`${path}: ${exact} is beyond the safe integer range`);
    }
    return high * 0x1_0000_0000 + low;
  }
  throw new CodecError(`${path}: expected an unsigned integer, got ${typeof v}`);
}

function id(v: unknown, path: string): number {
  const n = u64(v, path);
  if (n === 0) throw new CodecError(`${path}: node id 0 is not allowed`);
  return n;
}

function bytes(v: unknown, path: string): Uint8Array {
  if (v === undefined || v === null) return EMPTY;
  if (!(v instanceof Uint8Array)) throw new CodecError(`${path}: expected bytes, got ${typeof v}`);
  if (v.byteLength === 0) return EMPTY;
  // Normalise Buffer (protobufjs on Node) to a plain Uint8Array view of the same memory.
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function bool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new CodecError(`${path}: expected a boolean, got ${typeof v}`);
  return v;
}

function enumValue(v: unknown, known: ReadonlySet<number>, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number') throw new CodecError(`${path}: expected an enum number, got ${typeof v}`);
  if (!known.has(v)) throw new CodecError(`${path}: unknown value ${v}`);
  return v;
}

function entryType(v: unknown, path: string): EntryType {
  return enumValue(v, ENTRY_TYPES, path) as EntryType;
}

function confChangeType(v: unknown, path: string): ConfChangeType {
  return enumValue(v, CONF_CHANGE_TYPES, path) as ConfChangeType;
}

function messageType(v: unknown, path: string): MessageType {
  return enumValue(v, MESSAGE_TYPES, path) as MessageType;
}

function ids(v: unknown, path: string): number[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new CodecError(`${path}: expected a list`);
  const out: number[] = [];
  const seen = new Set<number>();
  v.forEach((x: unknown, i) => {
    const n = id(x, `${path}[${i}]`);
    if (seen.has(n)) throw new CodecError(`${path}: node ${n} listed twice`);
    seen.add(n);
    out.push(n);
  });
  return out;
}

// ---- core type -> protobuf (validated, so a bug never puts garbage on the wire or disk) ----

function entryToProto(e: Entry, path: string): shoal.raft.Entry.$Properties {
  return {
    term: u64(e.term, `${path}.term`),
    index: u64(e.index, `${path}.index`),
    type: entryType(e.type, `${path}.type`),
    data: bytes(e.data, `${path}.data`),
  };
}

/** Voters and learners: positive ids, none listed twice, none in both lists. */
function confState(voters: unknown, learners: unknown, path: string): ConfState {
  const v = ids(voters, `${path}.voters`);
  const l = ids(learners, `${path}.learners`);
  const both = l.find((x) => v.includes(x));
  if (both !== undefined) throw new CodecError(`${path}: node ${both} is both a voter and a learner`);
  return { voters: v, learners: l };
}

function confStateToProto(c: ConfState, path: string): shoal.raft.ConfState.$Properties {
  const { voters, learners } = confState(c.voters, c.learners, path);
  return { voters: [...voters], learners: [...learners] };
}

function snapshotToProto(s: Snapshot, path: string): shoal.raft.Snapshot.$Properties {
  const md = s.metadata;
  return {
    metadata: {
      index: u64(md.index, `${path}.metadata.index`),
      term: u64(md.term, `${path}.metadata.term`),
      confState: confStateToProto(md.confState, `${path}.metadata.confState`),
    },
    data: bytes(s.data, `${path}.data`),
  };
}

/** The protobuf form of a message (for building RaftBatch / SnapshotChunk); validates like encodeMessage. */
export function messageToProto(m: Message): shoal.raft.Message.$Properties {
  const out: shoal.raft.Message.$Properties = {
    type: messageType(m.type, 'message.type'),
    to: u64(m.to, 'message.to'),
    from: u64(m.from, 'message.from'),
    term: u64(m.term, 'message.term'),
    logTerm: u64(m.logTerm, 'message.logTerm'),
    index: u64(m.index, 'message.index'),
    entries: m.entries.map((e, i) => entryToProto(e, `message.entries[${i}]`)),
    commit: u64(m.commit, 'message.commit'),
    reject: bool(m.reject, 'message.reject'),
    rejectHint: u64(m.rejectHint, 'message.rejectHint'),
    context: bytes(m.context, 'message.context'),
  };
  if (m.snapshot !== undefined) out.snapshot = snapshotToProto(m.snapshot, 'message.snapshot');
  checkMessage(m);
  return out;
}

// ---- protobuf -> core type (validated) ----

function entryFromProto(p: shoal.raft.Entry.$Properties, path: string): Entry {
  return {
    term: u64(p.term, `${path}.term`),
    index: u64(p.index, `${path}.index`),
    type: entryType(p.type, `${path}.type`),
    data: bytes(p.data, `${path}.data`),
  };
}

function confStateFromProto(p: shoal.raft.ConfState.$Properties | null | undefined, path: string): ConfState {
  if (p === null || p === undefined) throw new CodecError(`${path}: missing`);
  return confState(p.voters, p.learners, path);
}

function snapshotFromProto(p: shoal.raft.Snapshot.$Properties, path: string): Snapshot {
  const md = p.metadata;
  if (md === null || md === undefined) throw new CodecError(`${path}.metadata: missing`);
  const metadata: SnapshotMetadata = {
    index: u64(md.index, `${path}.metadata.index`),
    term: u64(md.term, `${path}.metadata.term`),
    confState: confStateFromProto(md.confState, `${path}.metadata.confState`),
  };
  return { metadata, data: bytes(p.data, `${path}.data`) };
}

/** Rules that hold for every message that crosses the wire, whichever side builds it. */
function checkMessage(m: Message): void {
  const name = MESSAGE_TYPE_NAMES[m.type];
  if (isLocalMessage(m.type)) throw new CodecError(`message: local message type ${name} is never sent`);
  if (m.from === 0) throw new CodecError(`message ${name}: no sender (from is 0)`);
  if (m.to === 0) throw new CodecError(`message ${name}: no recipient (to is 0)`);
  if (m.type === MessageType.Snap) {
    if (m.snapshot === undefined) throw new CodecError('message Snap: no snapshot');
    if (m.snapshot.metadata.index === 0) throw new CodecError('message Snap: snapshot is empty (index 0)');
  } else if (m.snapshot !== undefined) {
    throw new CodecError(`message ${name}: only Snap messages carry a snapshot`);
  }
  if (m.type === MessageType.App) {
    m.entries.forEach((e, i) => {
      if (e.index !== m.index + 1 + i) {
        throw new CodecError(`message App: entries[${i}] has index ${e.index}, expected ${m.index + 1 + i}`);
      }
    });
  }
}

/** The core message for a decoded protobuf message; validates like decodeMessage. */
export function messageFromProto(p: shoal.raft.Message.$Properties): Message {
  const base = {
    type: messageType(p.type, 'message.type'),
    to: u64(p.to, 'message.to'),
    from: u64(p.from, 'message.from'),
    term: u64(p.term, 'message.term'),
    logTerm: u64(p.logTerm, 'message.logTerm'),
    index: u64(p.index, 'message.index'),
    entries: (p.entries ?? []).map((e, i) => entryFromProto(e, `message.entries[${i}]`)),
    commit: u64(p.commit, 'message.commit'),
    reject: bool(p.reject, 'message.reject'),
    rejectHint: u64(p.rejectHint, 'message.rejectHint'),
    context: bytes(p.context, 'message.context'),
  };
  const snap = p.snapshot;
  const m: Message =
    snap === null || snap === undefined
      ? base
      : { ...base, snapshot: snapshotFromProto(snap, 'message.snapshot') };
  checkMessage(m);
  return m;
}

// ---- bytes ----

function parse<T>(
  what: string,
  input: Uint8Array,
  opts: DecodeOptions | undefined,
  decode: (b: Uint8Array) => T,
): T {
  if (!(input instanceof Uint8Array)) throw new CodecError(`${what}: input is not bytes`);
  const max = opts?.maxSize ?? DEFAULT_MAX_DECODE_SIZE;
  if (input.byteLength > max) {
    throw new CodecError(`${what}: ${input.byteLength} bytes is over the limit of ${max} bytes`);
  }
  try {
    return decode(input);
  } catch (e: unknown) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new CodecError(`${what}: malformed protobuf (${reason})`);
  }
}

export function encodeMessage(m: Message): Uint8Array {
  return pb.Message.encode(messageToProto(m)).finish();
}

export function decodeMessage(input: Uint8Array, opts?: DecodeOptions): Message {
  return messageFromProto(parse('message', input, opts, (b) => pb.Message.decode(b)));
}

export function encodeEntry(e: Entry): Uint8Array {
  return pb.Entry.encode(entryToProto(e, 'entry')).finish();
}

export function decodeEntry(input: Uint8Array, opts?: DecodeOptions): Entry {
  return entryFromProto(
    parse('entry', input, opts, (b) => pb.Entry.decode(b)),
    'entry',
  );
}

export function encodeHardState(hs: HardState): Uint8Array {
  return pb.HardState.encode({
    term: u64(hs.term, 'hardState.term'),
    vote: u64(hs.vote, 'hardState.vote'),
    commit: u64(hs.commit, 'hardState.commit'),
  }).finish();
}

export function decodeHardState(input: Uint8Array, opts?: DecodeOptions): HardState {
  const p = parse('hard state', input, opts, (b) => pb.HardState.decode(b));
  return {
    term: u64(p.term, 'hardState.term'),
    vote: u64(p.vote, 'hardState.vote'),
    commit: u64(p.commit, 'hardState.commit'),
  };
}

export function encodeSnapshot(s: Snapshot): Uint8Array {
  return pb.Snapshot.encode(snapshotToProto(s, 'snapshot')).finish();
}

export function decodeSnapshot(input: Uint8Array, opts?: DecodeOptions): Snapshot {
  return snapshotFromProto(
    parse('snapshot', input, opts, (b) => pb.Snapshot.decode(b)),
    'snapshot',
  );
}

export function encodeConfChange(cc: ConfChange): Uint8Array {
  return pb.ConfChange.encode({
    type: confChangeType(cc.type, 'confChange.type'),
    nodeId: id(cc.nodeId, 'confChange.nodeId'),
    context: bytes(cc.context, 'confChange.context'),
  }).finish();
}

export function decodeConfChange(input: Uint8Array, opts?: DecodeOptions): ConfChange {
  const p = parse('conf change', input, opts, (b) => pb.ConfChange.decode(b));
  return {
    type: confChangeType(p.type, 'confChange.type'),
    nodeId: id(p.nodeId, 'confChange.nodeId'),
    context: bytes(p.context, 'confChange.context'),
  };
}

// ---- on-disk records of the durable log ----

export interface StoreHeader {
  readonly formatVersion: number;
  readonly kind: string;
}

/** Index and term of the last compacted entry: the stored log starts after it. */
export interface LogStart {
  readonly index: number;
  readonly term: number;
}

export function encodeStoreHeader(h: StoreHeader): Uint8Array {
  if (!Number.isInteger(h.formatVersion) || h.formatVersion < 0 || h.formatVersion > 0xffffffff) {
    throw new CodecError(`storeHeader.formatVersion: ${h.formatVersion} is not a uint32`);
  }
  return pb.StoreHeader.encode({ formatVersion: h.formatVersion, kind: h.kind }).finish();
}

export function decodeStoreHeader(input: Uint8Array, opts?: DecodeOptions): StoreHeader {
  const p = parse('store header', input, opts, (b) => pb.StoreHeader.decode(b));
  const formatVersion: unknown = p.formatVersion ?? 0;
  const kind: unknown = p.kind ?? '';
  if (typeof formatVersion !== 'number') throw new CodecError('storeHeader.formatVersion: not a number');
  if (typeof kind !== 'string') throw new CodecError('storeHeader.kind: not a string');
  return { formatVersion, kind };
}

export function encodeLogStart(s: LogStart): Uint8Array {
  return pb.LogStart.encode({
    index: u64(s.index, 'logStart.index'),
    term: u64(s.term, 'logStart.term'),
  }).finish();
}

export function decodeLogStart(input: Uint8Array, opts?: DecodeOptions): LogStart {
  const p = parse('log start', input, opts, (b) => pb.LogStart.decode(b));
  return { index: u64(p.index, 'logStart.index'), term: u64(p.term, 'logStart.term') };
}

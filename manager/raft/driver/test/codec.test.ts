import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shoal } from '../../../../proto/gen/raft.js';
import { RaftError } from '../../errors.js';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  message,
  type ConfChange,
  type Entry,
  type Message,
  type Snapshot,
} from '../../types.js';
import {
  CodecError,
  DEFAULT_MAX_DECODE_SIZE,
  decodeConfChange,
  decodeEntry,
  decodeHardState,
  decodeLogStart,
  decodeMessage,
  decodeSnapshot,
  decodeStoreHeader,
  encodeConfChange,
  encodeEntry,
  encodeHardState,
  encodeLogStart,
  encodeMessage,
  encodeSnapshot,
  encodeStoreHeader,
  messageFromProto,
  messageToProto,
} from '../codec.js';

const pb = shoal.raft;
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const ent = (index: number, term: number, data: Uint8Array = bytes(index & 0xff)): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data,
});
const snap: Snapshot = {
  metadata: { index: 42, term: 7, confState: { voters: [1, 2, 3], learners: [4] } },
  data: bytes(9, 8, 7),
};

function codecError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CodecError, `expected CodecError, got ${String(e)}`);
    assert.ok(e instanceof RaftError);
    assert.equal(e.code, 'CODEC');
    assert.equal(e.name, 'CodecError');
    assert.match(e.message, pattern);
    return true;
  });
}

void test('messages of every wire type round-trip', () => {
  const cases: Message[] = [
    message({
      type: MessageType.Prop,
      to: 1,
      from: 2,
      entries: [{ index: 0, term: 0, type: 0, data: bytes(1) }],
    }),
    message({
      type: MessageType.App,
      to: 2,
      from: 1,
      term: 5,
      logTerm: 4,
      index: 9,
      commit: 8,
      entries: [ent(10, 5), { index: 11, term: 5, type: EntryType.ConfChange, data: bytes(3, 4) }],
    }),
    message({ type: MessageType.AppResp, to: 1, from: 2, term: 5, index: 7, reject: true, rejectHint: 6 }),
    message({ type: MessageType.Vote, to: 2, from: 1, term: 6, logTerm: 5, index: 11 }),
    message({ type: MessageType.VoteResp, to: 1, from: 2, term: 6, reject: true }),
    message({ type: MessageType.PreVote, to: 2, from: 1, term: 7, logTerm: 5, index: 11 }),
    message({ type: MessageType.PreVoteResp, to: 1, from: 2, term: 7 }),
    message({ type: MessageType.Snap, to: 3, from: 1, term: 7, snapshot: snap }),
    message({ type: MessageType.Heartbeat, to: 2, from: 1, term: 7, commit: 11, context: bytes(5) }),
    message({ type: MessageType.HeartbeatResp, to: 1, from: 2, term: 7, context: bytes(5) }),
    message({ type: MessageType.TransferLeader, to: 1, from: 3, term: 7 }),
    message({ type: MessageType.TimeoutNow, to: 3, from: 1, term: 7 }),
    message({ type: MessageType.ReadIndex, to: 1, from: 2, context: bytes(1, 2, 3) }),
    message({ type: MessageType.ReadIndexResp, to: 2, from: 1, term: 7, index: 11, context: bytes(1, 2, 3) }),
    message({ type: MessageType.App, to: 2, from: 1, term: 2 ** 40, index: Number.MAX_SAFE_INTEGER - 1 }),
  ];
  for (const m of cases) assert.deepEqual(decodeMessage(encodeMessage(m)), m);
});

void test('entries round-trip: empty data, large data, largest safe index', () => {
  const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
  const cases: Entry[] = [
    ent(1, 1, new Uint8Array(0)),
    ent(2, 1, big),
    ent(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    { index: 0, term: 0, type: EntryType.Normal, data: new Uint8Array(0) },
  ];
  for (const e of cases) {
    const got = decodeEntry(encodeEntry(e));
    assert.deepEqual(got, e);
    assert.equal(Object.getPrototypeOf(got.data), Uint8Array.prototype, 'plain Uint8Array, not Buffer');
  }
});

void test('hard state, snapshot, conf change and store records round-trip', () => {
  for (const hs of [
    { term: 0, vote: 0, commit: 0 },
    { term: 9, vote: 3, commit: 120 },
  ]) {
    assert.deepEqual(decodeHardState(encodeHardState(hs)), hs);
  }
  const empty: Snapshot = {
    metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } },
    data: bytes(),
  };
  for (const s of [snap, empty]) assert.deepEqual(decodeSnapshot(encodeSnapshot(s)), s);
  for (const type of Object.values(ConfChangeType)) {
    const cc: ConfChange = { type, nodeId: 5, context: bytes(1, 2) };
    assert.deepEqual(decodeConfChange(encodeConfChange(cc)), cc);
  }
  assert.deepEqual(decodeConfChange(encodeConfChange({ type: 0, nodeId: 1, context: bytes() })), {
    type: 0,
    nodeId: 1,
    context: bytes(),
  });
  const header = { formatVersion: 1, kind: 'shoal-raft-log' };
  assert.deepEqual(decodeStoreHeader(encodeStoreHeader(header)), header);
  assert.deepEqual(decodeLogStart(encodeLogStart({ index: 17, term: 3 })), { index: 17, term: 3 });
});

void test('messageToProto / messageFromProto agree with encodeMessage', () => {
  const m = message({ type: MessageType.App, to: 2, from: 1, term: 3, index: 4, entries: [ent(5, 3)] });
  const viaBatch = pb.RaftBatch.decode(pb.RaftBatch.encode({ messages: [messageToProto(m)] }).finish());
  const first = viaBatch.messages[0];
  assert.ok(first !== undefined);
  assert.deepEqual(messageFromProto(first), m);
});

void test('truncated and garbage buffers are refused', () => {
  const m = encodeMessage(
    message({ type: MessageType.App, to: 2, from: 1, index: 1, entries: [ent(2, 1, bytes(1, 2, 3, 4))] }),
  );
  codecError(() => decodeMessage(m.subarray(0, m.length - 2)), /^message: malformed protobuf/);
  const e = encodeEntry(ent(1, 1, bytes(1, 2, 3, 4)));
  codecError(() => decodeEntry(e.subarray(0, e.length - 1)), /^entry: malformed protobuf/);
  const s = encodeSnapshot(snap);
  codecError(() => decodeSnapshot(s.subarray(0, 5)), /^snapshot: malformed protobuf/);
  codecError(() => decodeMessage(bytes(0xff, 0xff, 0xff, 0xff)), /malformed protobuf/);
  codecError(
    () => decodeHardState(bytes(0x0f, 0x01)),
    /hard state: malformed protobuf \(invalid wire type 7/,
  );
  codecError(() => decodeConfChange(bytes(0x08, 0x80, 0x80)), /conf change: malformed protobuf/);
  codecError(() => decodeMessage('not bytes' as unknown as Uint8Array), /input is not bytes/);
});

void test('unknown enum values are refused', () => {
  codecError(
    () => decodeEntry(pb.Entry.encode({ index: 1, term: 1, type: 7 as shoal.raft.EntryType }).finish()),
    /entry\.type: unknown value 7/,
  );
  codecError(
    () => decodeEntry(pb.Entry.encode({ index: 1, term: 1, type: -1 as shoal.raft.EntryType }).finish()),
    /unknown value -1/,
  );
  codecError(
    () =>
      decodeConfChange(pb.ConfChange.encode({ type: 3 as shoal.raft.ConfChangeType, nodeId: 1 }).finish()),
    /confChange\.type: unknown value 3/,
  );
  codecError(
    () => decodeMessage(pb.Message.encode({ type: 19 as shoal.raft.MessageType, to: 1, from: 2 }).finish()),
    /message\.type: unknown value 19/,
  );
  codecError(
    () =>
      decodeMessage(
        pb.Message.encode({
          type: MessageType.App,
          to: 1,
          from: 2,
          index: 0,
          entries: [{ index: 1, type: 9 as shoal.raft.EntryType }],
        }).finish(),
      ),
    /message\.entries\[0\]\.type: unknown value 9/,
  );
});

void test('numbers beyond the safe integer range are refused on decode', () => {
  codecError(
    () => decodeEntry(pb.Entry.encode({ index: 2 ** 53, term: 1 }).finish()),
    /entry\.index: 9007199254740992 is beyond the safe integer range/,
  );
  // 2^64 - 1: a uint64 varint of ten bytes.
  const maxU64 = bytes(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
  codecError(
    () => decodeHardState(maxU64),
    /hardState\.term: 18446744073709551615 is beyond the safe integer range/,
  );
  codecError(
    () =>
      decodeSnapshot(pb.Snapshot.encode({ metadata: { index: 1, term: 2 ** 60, confState: {} } }).finish()),
    /snapshot\.metadata\.term: .* is beyond the safe integer range/,
  );
});

void test('negative, fractional and unsafe numbers are refused on encode', () => {
  codecError(() => encodeEntry(ent(-1, 1)), /entry\.index: -1 is not an unsigned safe integer/);
  codecError(() => encodeEntry(ent(1, 1.5)), /entry\.term: 1\.5 is not an unsigned safe integer/);
  codecError(
    () => encodeHardState({ term: 2 ** 53, vote: 0, commit: 0 }),
    /hardState\.term: 9007199254740992/,
  );
  codecError(() => encodeHardState({ term: 1, vote: Number.NaN, commit: 0 }), /hardState\.vote: NaN/);
  codecError(() => encodeEntry({ ...ent(1, 1), type: 5 as EntryType }), /entry\.type: unknown value 5/);
  codecError(
    () => encodeMessage(message({ type: MessageType.Vote, to: 1, from: 2, term: -3 })),
    /message\.term: -3 is not an unsigned safe integer/,
  );
  codecError(() => encodeConfChange({ type: 0, nodeId: 0, context: bytes() }), /node id 0 is not allowed/);
});

void test('invalid combinations of message fields are refused, both ways', () => {
  const cases: [Message, RegExp][] = [
    [message({ type: MessageType.Snap, to: 2, from: 1, term: 3 }), /message Snap: no snapshot/],
    [
      message({
        type: MessageType.Snap,
        to: 2,
        from: 1,
        snapshot: { ...snap, metadata: { ...snap.metadata, index: 0 } },
      }),
      /snapshot is empty/,
    ],
    [
      message({ type: MessageType.App, to: 2, from: 1, snapshot: snap }),
      /message App: only Snap messages carry a snapshot/,
    ],
    [
      message({ type: MessageType.App, to: 2, from: 1, index: 4, entries: [ent(6, 1)] }),
      /entries\[0\] has index 6, expected 5/,
    ],
    [
      message({ type: MessageType.App, to: 2, from: 1, index: 4, entries: [ent(5, 1), ent(7, 1)] }),
      /entries\[1\] has index 7, expected 6/,
    ],
    [message({ type: MessageType.Heartbeat, to: 2, from: 0 }), /no sender/],
    [message({ type: MessageType.Heartbeat, to: 0, from: 1 }), /no recipient/],
    [message({ type: MessageType.Hup, to: 1, from: 1 }), /local message type Hup is never sent/],
    [message({ type: MessageType.SnapStatus, to: 1, from: 2 }), /local message type SnapStatus/],
  ];
  for (const [m, pattern] of cases) {
    codecError(() => encodeMessage(m), pattern);
    // Build the same bytes without the codec's checks, as a bad peer would.
    const raw = pb.Message.encode({
      type: m.type,
      to: m.to,
      from: m.from,
      index: m.index,
      entries: m.entries.map((e) => ({ index: e.index, term: e.term, data: e.data })),
      ...(m.snapshot === undefined
        ? {}
        : {
            snapshot: {
              metadata: { index: m.snapshot.metadata.index, term: m.snapshot.metadata.term, confState: {} },
            },
          }),
    }).finish();
    codecError(() => decodeMessage(raw), pattern);
  }
  codecError(() => decodeMessage(new Uint8Array(0)), /local message type Hup/);
});

void test('invalid snapshots and conf changes are refused', () => {
  codecError(
    () => decodeSnapshot(pb.Snapshot.encode({ data: bytes(1) }).finish()),
    /snapshot\.metadata: missing/,
  );
  codecError(
    () => decodeSnapshot(pb.Snapshot.encode({ metadata: { index: 3, term: 1 } }).finish()),
    /snapshot\.metadata\.confState: missing/,
  );
  const conf = (voters: number[], learners: number[]): Uint8Array =>
    pb.Snapshot.encode({ metadata: { index: 3, term: 1, confState: { voters, learners } } }).finish();
  codecError(() => decodeSnapshot(conf([1, 2, 1], [])), /voters: node 1 listed twice/);
  codecError(() => decodeSnapshot(conf([1, 2], [2])), /node 2 is both a voter and a learner/);
  codecError(() => decodeSnapshot(conf([1, 0], [])), /voters\[1\]: node id 0 is not allowed/);
  codecError(
    () =>
      encodeSnapshot({ ...snap, metadata: { ...snap.metadata, confState: { voters: [1], learners: [1] } } }),
    /node 1 is both a voter and a learner/,
  );
  codecError(
    () => decodeConfChange(pb.ConfChange.encode({ type: 1 }).finish()),
    /confChange\.nodeId: node id 0/,
  );
});

void test('the decoded size limit is enforced before parsing', () => {
  const m = encodeMessage(
    message({ type: MessageType.App, to: 2, from: 1, index: 0, entries: [ent(1, 1, new Uint8Array(1000))] }),
  );
  assert.equal(decodeMessage(m, { maxSize: m.length }).entries.length, 1);
  codecError(
    () => decodeMessage(m, { maxSize: m.length - 1 }),
    new RegExp(`${m.length} bytes is over the limit of ${m.length - 1}`),
  );
  codecError(
    () => decodeEntry(encodeEntry(ent(1, 1, new Uint8Array(100))), { maxSize: 10 }),
    /^entry: .* over the limit/,
  );
  codecError(
    () => decodeMessage(new Uint8Array(DEFAULT_MAX_DECODE_SIZE + 1)),
    /over the limit of 67108864 bytes/,
  );
});

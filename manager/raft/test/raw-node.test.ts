// Table tests for the conf change encoding and RawNode's Ready/advance contract.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeConfChange, encodeConfChange } from '../conf-change.js';
import { RaftError, RaftInvariantError } from '../errors.js';
import { NO_LIMIT } from '../log.js';
import { SeededRandom } from '../random.js';
import { RawNode } from '../raw-node.js';
import { MemoryStorage } from '../storage.js';
import {
  ConfChangeType,
  MessageType,
  StateRole,
  message,
  type ConfChange,
  type RaftId,
  type Ready,
  type Snapshot,
} from '../types.js';
import { ELECTION_TICK, HEARTBEAT_TICK, bytes, newStorage, text } from './support/harness.js';
import { ent, ids } from './support/entries.js';

void describe('conf change encoding', () => {
  void test('round trip of every type, with and without context', () => {
    const cases: ConfChange[] = [
      { type: ConfChangeType.AddNode, nodeId: 1, context: new Uint8Array(0) },
      { type: ConfChangeType.RemoveNode, nodeId: 42, context: bytes('ctx') },
      { type: ConfChangeType.AddLearner, nodeId: Number.MAX_SAFE_INTEGER, context: bytes('10.0.0.1:4242') },
    ];
    for (const cc of cases) {
      const enc = encodeConfChange(cc);
      assert.equal(enc.byteLength, 10 + cc.context.byteLength);
      const dec = decodeConfChange(enc);
      assert.equal(dec.type, cc.type);
      assert.equal(dec.nodeId, cc.nodeId);
      assert.deepEqual([...dec.context], [...cc.context]);
    }
  });

  void test('decodes from a view into a larger buffer, and copies its context out', () => {
    const enc = encodeConfChange({ type: ConfChangeType.AddNode, nodeId: 7, context: bytes('ab') });
    const big = new Uint8Array(enc.byteLength + 5);
    big.set(enc, 3);
    const view = big.subarray(3, 3 + enc.byteLength);
    const dec = decodeConfChange(view);
    assert.equal(dec.nodeId, 7);
    assert.equal(text(dec.context), 'ab');
    big[3 + 10] = 0x7a;
    assert.equal(text(dec.context), 'ab', 'the decoded context does not alias the input');
  });

  void test('malformed input is refused with BAD_CONF_CHANGE', () => {
    const good = encodeConfChange({ type: ConfChangeType.AddNode, nodeId: 7, context: new Uint8Array(0) });
    const withBytes = (f: (dv: DataView) => void): Uint8Array => {
      const b = good.slice();
      f(new DataView(b.buffer));
      return b;
    };
    const cases: { name: string; data: Uint8Array }[] = [
      { name: 'empty', data: new Uint8Array(0) },
      { name: 'short header', data: good.slice(0, 9) },
      { name: 'version 0', data: withBytes((dv) => dv.setUint8(0, 0)) },
      { name: 'version 2', data: withBytes((dv) => dv.setUint8(0, 2)) },
      { name: 'type 3', data: withBytes((dv) => dv.setUint8(1, 3)) },
      { name: 'type 255', data: withBytes((dv) => dv.setUint8(1, 255)) },
      { name: 'id 0', data: withBytes((dv) => dv.setFloat64(2, 0)) },
      { name: 'id -1', data: withBytes((dv) => dv.setFloat64(2, -1)) },
      { name: 'id 1.5', data: withBytes((dv) => dv.setFloat64(2, 1.5)) },
      { name: 'id NaN', data: withBytes((dv) => dv.setFloat64(2, NaN)) },
      { name: 'id Infinity', data: withBytes((dv) => dv.setFloat64(2, Infinity)) },
      { name: 'id 2^53', data: withBytes((dv) => dv.setFloat64(2, 2 ** 53)) },
    ];
    for (const c of cases) {
      assert.throws(
        () => decodeConfChange(c.data),
        (e: unknown) => e instanceof RaftError && e.code === 'BAD_CONF_CHANGE',
        c.name,
      );
    }
  });
});

void describe('RawNode', () => {
  interface Handle {
    readonly rn: RawNode;
    readonly storage: MemoryStorage;
    /** Persists the Ready's snapshot, entries and hard state (the application's step 1). */
    readonly persist: (rd: Ready) => void;
  }

  function rawNode(id: RaftId, voters: RaftId[]): Handle {
    const storage = newStorage({ conf: { voters, learners: [] } });
    const rn = new RawNode({
      id,
      electionTick: ELECTION_TICK,
      heartbeatTick: HEARTBEAT_TICK,
      storage,
      random: new SeededRandom(7),
    });
    return {
      rn,
      storage,
      persist: (rd: Ready): void => {
        if (rd.snapshot) storage.applySnapshot(rd.snapshot);
        storage.append(rd.entries);
        if (rd.hardState) storage.setHardState(rd.hardState);
      },
    };
  }

  void test('a single member: soft and hard state, entries to persist, then committed entries, each handed out once', () => {
    const { rn, persist } = rawNode(1, [1]);
    assert.equal(rn.hasReady(), false, 'nothing to do at start');
    rn.campaign();
    assert.equal(rn.hasReady(), true);
    let rd = rn.ready();
    assert.deepEqual(rd.softState, { lead: 1, role: StateRole.Leader });
    assert.deepEqual(rd.hardState, { term: 1, vote: 1, commit: 0 });
    assert.deepEqual(ids(rd.entries), ['1:1']);
    assert.deepEqual(rd.committedEntries, [], 'not committed before the leader persisted it');
    assert.equal(rd.mustSync, true);
    assert.deepEqual(rd.messages, []);
    assert.throws(() => rn.ready(), RaftInvariantError, 'one Ready at a time');
    assert.throws(() => rn.hasReady(), RaftInvariantError);
    persist(rd);
    rn.advance();
    // The leader's own copy now counts: entry 1 commits.
    assert.equal(rn.hasReady(), true);
    rd = rn.ready();
    assert.equal(rd.softState, undefined, 'soft state only when it changed');
    assert.deepEqual(rd.hardState, { term: 1, vote: 1, commit: 1 });
    assert.deepEqual(rd.entries, []);
    assert.deepEqual(ids(rd.committedEntries), ['1:1']);
    assert.equal(rd.mustSync, false, 'only the commit index changed');
    persist(rd);
    rn.advance();
    assert.equal(rn.hasReady(), false);
    rn.propose(bytes('x'));
    rd = rn.ready();
    assert.equal(rd.hardState, undefined, 'hard state only when it changed');
    assert.deepEqual(ids(rd.entries), ['2:1']);
    assert.equal(rd.mustSync, true);
    assert.equal(rn.canSendBeforePersist(), true, 'a leader may send while it writes');
    persist(rd);
    rn.advance();
    rd = rn.ready();
    assert.deepEqual(ids(rd.committedEntries), ['2:1'], 'entry 1 is not handed out again');
    assert.equal(text(rd.committedEntries[0]!.data), 'x');
    persist(rd);
    rn.advance();
    assert.equal(rn.hasReady(), false);
    assert.equal(rn.raft.log.applied, 2);
    assert.throws(() => rn.advance(), RaftInvariantError, 'advance without a Ready');
  });

  void test('a follower: messages after persisting, mustSync on term/vote/entries only, readStates', () => {
    const { rn, persist, storage } = rawNode(2, [1, 2, 3]);
    rn.step(
      message({
        type: MessageType.App,
        from: 1,
        to: 2,
        term: 1,
        index: 0,
        logTerm: 0,
        commit: 0,
        entries: [ent(1, 1, 'a')],
      }),
    );
    let rd = rn.ready();
    assert.deepEqual(rd.softState, { lead: 1, role: StateRole.Follower });
    assert.deepEqual(rd.hardState, { term: 1, vote: 0, commit: 0 });
    assert.deepEqual(ids(rd.entries), ['1:1']);
    assert.equal(rd.mustSync, true);
    assert.equal(rn.canSendBeforePersist(), false, 'a follower answers only once persisted');
    assert.deepEqual(
      rd.messages.map((m) => [m.type, m.to, m.index, m.reject]),
      [[MessageType.AppResp, 1, 1, false]],
    );
    persist(rd);
    rn.advance();
    assert.deepEqual(ids(storage.entries(1, 2, NO_LIMIT)), ['1:1']);
    assert.equal(rn.hasReady(), false);
    rn.step(
      message({ type: MessageType.Heartbeat, from: 1, to: 2, term: 1, commit: 1, context: bytes('rd') }),
    );
    rd = rn.ready();
    assert.deepEqual(rd.hardState, { term: 1, vote: 0, commit: 1 });
    assert.equal(rd.mustSync, false, 'a new commit index alone needs no sync');
    assert.deepEqual(ids(rd.committedEntries), ['1:1']);
    assert.equal(text(rd.messages[0]!.context), 'rd');
    persist(rd);
    rn.advance();
    rn.step(
      message({ type: MessageType.ReadIndexResp, from: 1, to: 2, term: 1, index: 1, context: bytes('q') }),
    );
    rd = rn.ready();
    assert.deepEqual(
      rd.readStates.map((rs) => `${text(rs.requestCtx)}@${rs.index}`),
      ['q@1'],
    );
    persist(rd);
    rn.advance();
    assert.equal(rn.hasReady(), false);
  });

  void test('a snapshot in a Ready comes with no committed entries; advance marks it applied', () => {
    const { rn, persist, storage } = rawNode(2, [1, 2, 3]);
    const snap: Snapshot = {
      metadata: { index: 5, term: 2, confState: { voters: [1, 2, 3], learners: [] } },
      data: bytes('five'),
    };
    rn.step(message({ type: MessageType.Snap, from: 1, to: 2, term: 2, snapshot: snap }));
    const rd = rn.ready();
    assert.equal(rd.snapshot?.metadata.index, 5);
    assert.deepEqual(rd.entries, []);
    assert.deepEqual(rd.committedEntries, []);
    assert.deepEqual(rd.hardState, { term: 2, vote: 0, commit: 5 });
    assert.deepEqual(
      rd.messages.map((m) => [m.type, m.index]),
      [[MessageType.AppResp, 5]],
    );
    persist(rd);
    rn.advance();
    assert.equal(rn.raft.log.applied, 5);
    assert.equal(rn.raft.log.firstIndex(), 6);
    assert.equal(storage.snapshot().metadata.index, 5);
    assert.equal(rn.hasReady(), false);
  });

  void test('step refuses local message types and drops responses from unknown members', () => {
    const { rn } = rawNode(1, [1, 2, 3]);
    for (const t of [
      MessageType.Hup,
      MessageType.Beat,
      MessageType.Unreachable,
      MessageType.SnapStatus,
      MessageType.CheckQuorum,
    ]) {
      const r = rn.step(message({ type: t, from: 2, to: 1 }));
      assert.ok(!r.ok && r.kind === 'local-message', `type ${t}`);
    }
    assert.equal(rn.raft.role, StateRole.Follower, 'a refused Hup started no election');
    rn.step(message({ type: MessageType.AppResp, from: 9, to: 1, term: 5 }));
    assert.equal(rn.raft.term, 0, 'a response from a stranger is dropped before it can bump the term');
    rn.step(message({ type: MessageType.Heartbeat, from: 9, to: 1, term: 5 }));
    assert.equal(rn.raft.term, 5, 'a leader unknown to us is heard');
    // A forwarded proposal a follower cannot take (no leader known any more) is dropped, not thrown.
    const { rn: lone } = rawNode(2, [1, 2, 3]);
    assert.equal(
      lone.step(message({ type: MessageType.Prop, from: 3, to: 2, entries: [ent(0, 0, 'p')] })).ok,
      false,
    );
    const mine = lone.propose(bytes('mine'));
    assert.ok(!mine.ok && mine.kind === 'no-leader', 'a local proposal without a leader is dropped');
  });
});

// The force-new-cluster rewrite's plan, on logs held in memory: what is kept, what is dropped,
// which members are removed, and which logs are refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeConfChange, encodeConfChange } from '../../conf-change.js';
import { MemoryStorage } from '../../storage.js';
import { ConfChangeType, EntryType, type ConfChange, type Entry, type RaftId } from '../../types.js';
import { decodeMemberContext } from '../envelope.js';
import { ForceNewClusterError, committedConfState, planForceNewCluster } from '../force-new-cluster.js';
import { ent, ents } from './level-fixtures.js';

function confEntry(index: number, term: number, type: ConfChange['type'], nodeId: RaftId): Entry {
  return {
    index,
    term,
    type: EntryType.ConfChange,
    data: encodeConfChange({ type, nodeId, context: new Uint8Array(0) }),
  };
}

/** A log with a snapshot at 5 (voters 1, 2, 3), entries 6..`last` and commit `commit`. */
function logWith(extra: Entry[], commit: number, term = 3): MemoryStorage {
  const mem = new MemoryStorage();
  mem.applySnapshot({
    metadata: { index: 5, term: 2, confState: { voters: [1, 2, 3], learners: [] } },
    data: new Uint8Array(0),
  });
  mem.append(extra);
  mem.setHardState({ term, vote: 2, commit });
  return mem;
}

function changesOf(
  entries: readonly Entry[],
): { type: number; nodeId: number; address: string | undefined }[] {
  return entries.map((e) => {
    assert.equal(e.type, EntryType.ConfChange);
    const cc = decodeConfChange(e.data);
    return { type: cc.type, nodeId: cc.nodeId, address: decodeMemberContext(cc.context) };
  });
}

test('an uncommitted tail is dropped and the others are removed right after the last committed entry', () => {
  const mem = logWith(ents(6, 12, 3), 9);
  const plan = planForceNewCluster(mem, 1, '10.0.0.1:2377');
  assert.deepEqual(plan.before, { voters: [1, 2, 3], learners: [] });
  assert.deepEqual(plan.removed, [2, 3]);
  assert.equal(plan.dropped, 3);
  assert.deepEqual(
    plan.entries.map((e) => [e.index, e.term]),
    [
      [10, 3],
      [11, 3],
      [12, 3],
    ],
  );
  assert.deepEqual(changesOf(plan.entries), [
    { type: ConfChangeType.RemoveNode, nodeId: 2, address: undefined },
    { type: ConfChangeType.RemoveNode, nodeId: 3, address: undefined },
    { type: ConfChangeType.AddNode, nodeId: 1, address: '10.0.0.1:2377' },
  ]);
  // The appended entries are committed; the term and vote are kept.
  assert.deepEqual(plan.hardState, { term: 3, vote: 2, commit: 12 });
});

test('only a snapshot (everything compacted, nothing after it): the entries follow the snapshot', () => {
  const mem = logWith([], 5, 2);
  const plan = planForceNewCluster(mem, 3, 'h3:2377');
  assert.deepEqual(plan.removed, [1, 2]);
  assert.equal(plan.dropped, 0);
  assert.equal(plan.entries[0]!.index, 6);
  assert.deepEqual(plan.hardState, { term: 2, vote: 2, commit: 8 });
});

test('committed membership changes after the snapshot count; uncommitted ones do not', () => {
  const mem = logWith(
    [
      ent(6, 3),
      confEntry(7, 3, ConfChangeType.AddLearner, 4),
      confEntry(8, 3, ConfChangeType.AddNode, 4),
      confEntry(9, 3, ConfChangeType.RemoveNode, 3),
      confEntry(10, 3, ConfChangeType.AddLearner, 5),
      // Uncommitted: a member that was only being added.
      confEntry(11, 3, ConfChangeType.AddLearner, 6),
    ],
    10,
  );
  assert.deepEqual(committedConfState(mem), { voters: [1, 2, 4], learners: [5] });
  const plan = planForceNewCluster(mem, 4, 'h4:2377');
  assert.deepEqual(plan.removed, [1, 2, 5]);
  assert.equal(plan.dropped, 1);
  assert.deepEqual(
    changesOf(plan.entries).map((c) => [c.type, c.nodeId]),
    [
      [ConfChangeType.RemoveNode, 1],
      [ConfChangeType.RemoveNode, 2],
      [ConfChangeType.RemoveNode, 5],
      [ConfChangeType.AddNode, 4],
    ],
  );
});

test('a learner recovering the swarm becomes its only voter', () => {
  const mem = logWith([confEntry(6, 3, ConfChangeType.AddLearner, 7)], 6);
  const plan = planForceNewCluster(mem, 7, 'h7:2377');
  assert.deepEqual(plan.removed, [1, 2, 3]);
  assert.deepEqual(changesOf(plan.entries).at(-1), {
    type: ConfChangeType.AddNode,
    nodeId: 7,
    address: 'h7:2377',
  });
});

test('refused: a member that is not in its own group, and an empty log', () => {
  const removed = logWith([confEntry(6, 3, ConfChangeType.RemoveNode, 2)], 6);
  assert.throws(
    () => planForceNewCluster(removed, 2, 'h2:2377'),
    (e: unknown) => e instanceof ForceNewClusterError && /not a member of its own Raft group/.test(e.message),
  );
  // Removed only by an uncommitted entry: still a member as far as anything committed says.
  const pending = logWith([confEntry(6, 3, ConfChangeType.RemoveNode, 2)], 5);
  assert.deepEqual(planForceNewCluster(pending, 2, 'h2:2377').removed, [1, 3]);
  assert.throws(
    () => planForceNewCluster(new MemoryStorage(), 1, 'h1:2377'),
    (e: unknown) => e instanceof ForceNewClusterError && /no Raft state/.test(e.message),
  );
});

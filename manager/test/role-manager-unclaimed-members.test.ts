// The leader's role loop removes Raft members that no node record claims (a join abandoned
// half-way, a node removed before its member was recorded or removed): after a grace period, a
// learner always, a voter only while it does not answer. Times come from an injected clock.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { RaftNode } from '../raft/driver/raft-node.js';
import type { ConfState } from '../raft/types.js';
import { ORPHAN_MEMBER_GRACE_MS, RoleManager } from '../role-manager.js';
import { createLocalStore } from '../store/local-proposer.js';
import type { MemoryStore } from '../store/index.js';
import { newCluster, newNode } from '../store/test/fixtures.js';
import { ManualClock } from '../../api/clock/manual-clock.js';

const LEADER = 10;

/** The parts of a leader's RaftNode the role loop reads and calls. */
class FakeRaft {
  readonly id = LEADER;
  conf: { voters: number[]; learners: number[] };
  readonly active = new Set<number>();
  readonly removed: number[] = [];
  constructor(conf: ConfState) {
    this.conf = { voters: [...conf.voters], learners: [...conf.learners] };
  }
  isLeader(): boolean {
    return true;
  }
  status(): { confState: ConfState; progress: Map<number, { recentActive: boolean }> } {
    const progress = new Map<number, { recentActive: boolean }>();
    for (const id of [...this.conf.voters, ...this.conf.learners]) {
      progress.set(id, { recentActive: this.active.has(id) });
    }
    return { confState: { voters: [...this.conf.voters], learners: [...this.conf.learners] }, progress };
  }
  removeMember(id: number): Promise<ConfState> {
    this.removed.push(id);
    this.conf = {
      voters: this.conf.voters.filter((v) => v !== id),
      learners: this.conf.learners.filter((l) => l !== id),
    };
    return Promise.resolve(this.conf);
  }
}

async function setup(conf: ConfState, managers: Record<string, number>) {
  const store: MemoryStore = createLocalStore();
  await store.update((tx) => {
    tx.create('clusters', newCluster('cluster-1'));
    for (const [id, raftId] of Object.entries(managers)) {
      tx.create('nodes', {
        ...newNode(id, 'manager'),
        managerStatus: { raftId, addr: `${id}:2377`, leader: raftId === LEADER, reachability: 'reachable' },
      });
    }
  });
  const clock = new ManualClock();
  const raft = new FakeRaft(conf);
  const roles = new RoleManager({
    store,
    raft: raft as unknown as RaftNode,
    clock,
    logger: pino({ level: 'silent' }),
  });
  return { store, clock, raft, roles };
}

test('a learner no node claims is removed once the grace period has passed, not before', async () => {
  const { clock, raft, roles } = await setup({ voters: [LEADER, 11], learners: [70] }, { a: LEADER, b: 11 });
  await roles.reconcile();
  clock.advance(ORPHAN_MEMBER_GRACE_MS - 1);
  await roles.reconcile();
  assert.deepEqual(raft.removed, [], 'still within the grace period (a join being recorded)');
  clock.advance(1);
  await roles.reconcile();
  assert.deepEqual(raft.removed, [70]);
  assert.deepEqual(raft.conf, { voters: [LEADER, 11], learners: [] });
});

test('a learner whose node record appears during the grace period is kept', async () => {
  const { store, clock, raft, roles } = await setup({ voters: [LEADER], learners: [70] }, { a: LEADER });
  await roles.reconcile();
  clock.advance(ORPHAN_MEMBER_GRACE_MS / 2);
  await store.update((tx) => {
    tx.create('nodes', {
      ...newNode('joining', 'manager'),
      managerStatus: { raftId: 70, addr: 'joining:2377', leader: false, reachability: 'unknown' },
    });
  });
  await roles.reconcile();
  clock.advance(ORPHAN_MEMBER_GRACE_MS);
  await roles.reconcile();
  assert.deepEqual(raft.removed, []);
});

test('the learner of a node deleted from the store is removed', async () => {
  const { store, clock, raft, roles } = await setup(
    { voters: [LEADER], learners: [70] },
    { a: LEADER, gone: 70 },
  );
  await roles.reconcile();
  clock.advance(ORPHAN_MEMBER_GRACE_MS);
  await roles.reconcile();
  assert.deepEqual(raft.removed, [], 'claimed by its node');
  await store.update((tx) => tx.delete('nodes', 'gone'));
  await roles.reconcile();
  clock.advance(ORPHAN_MEMBER_GRACE_MS);
  await roles.reconcile();
  assert.deepEqual(raft.removed, [70]);
});

test('an unclaimed voter is removed only while it does not answer; the leader never removes itself', async () => {
  const { clock, raft, roles } = await setup({ voters: [LEADER, 11, 12], learners: [] }, {});
  raft.active.add(11);
  await roles.reconcile();
  clock.advance(ORPHAN_MEMBER_GRACE_MS);
  await roles.reconcile();
  assert.deepEqual(raft.removed, [12], 'the silent voter only');
  raft.active.delete(11);
  await roles.reconcile();
  assert.deepEqual(raft.removed, [12, 11]);
  assert.deepEqual(raft.conf.voters, [LEADER]);
});

// Disaster recovery (`docker swarm init --force-new-cluster`): turns a manager's Raft log, whose
// group has lost its majority for good, into the log of a group with this member alone.
//
// Nothing committed is lost and no history is rewritten: the snapshot and every committed entry
// stay; only the uncommitted tail goes (it was never acknowledged to a client as applied, and no
// surviving quorum can commit it). After the last committed entry the rewrite appends, as
// already committed, one RemoveNode entry per other member (voter or learner) and one AddNode
// entry for this member with its (possibly new) address, at the current term. This is the
// approach of etcd's and swarmkit's force-new-cluster: the membership change goes through the
// log like any other, so every check of the log still holds; at restart the Ready loop applies
// those entries like any committed entry, the group shrinks to this member, and it elects itself.
//
// The change is one LevelStorage.save, so the durable watermark records it as every other write
// (a 'rewrite' mark first when the tail is replaced): the store reopens and passes the durable
// checks. Members removed here are never members again: Raft IDs are never reused, and the
// transport's callers are checked against the configuration (manager/ca/raft-sender.ts).

import { decodeConfChange, encodeConfChange } from '../conf-change.js';
import { RaftError } from '../errors.js';
import type { MemoryStorage } from '../storage.js';
import {
  ConfChangeType,
  EntryType,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type RaftId,
} from '../types.js';
import { encodeMemberContext } from './envelope.js';
import { LevelStorage, type LevelStorageOptions } from './level-storage.js';

/** What the rewrite appends and what it leaves. */
export interface ForceNewClusterPlan {
  /** The configuration at the last committed entry, before the rewrite. */
  readonly before: ConfState;
  /** The other members, removed by the appended entries. */
  readonly removed: readonly RaftId[];
  /** How many uncommitted entries are dropped. */
  readonly dropped: number;
  /** The entries appended after the last committed one, all committed. */
  readonly entries: readonly Entry[];
  readonly hardState: HardState;
}

/** This manager's log cannot seed a new cluster (it names the reason and what to do). */
export class ForceNewClusterError extends RaftError {
  constructor(message: string) {
    super('FORCE_NEW_CLUSTER', message);
    this.name = 'ForceNewClusterError';
  }
}

/** The configuration as of the commit index: the snapshot's, then each committed conf change. */
export function committedConfState(mem: MemoryStorage): ConfState {
  const snap = mem.snapshot().metadata.confState;
  const voters = new Set(snap.voters);
  const learners = new Set(snap.learners);
  const commit = mem.initialState().hardState.commit;
  const first = mem.firstIndex();
  const committed = commit >= first ? mem.entries(first, commit + 1, Number.MAX_SAFE_INTEGER) : [];
  for (const e of committed) {
    if (e.type !== EntryType.ConfChange) continue;
    const cc = decodeConfChange(e.data);
    switch (cc.type) {
      case ConfChangeType.AddNode:
        learners.delete(cc.nodeId);
        voters.add(cc.nodeId);
        break;
      case ConfChangeType.AddLearner:
        // As the tracker does: a voter is never demoted straight to a learner.
        if (!voters.has(cc.nodeId)) learners.add(cc.nodeId);
        break;
      case ConfChangeType.RemoveNode:
        voters.delete(cc.nodeId);
        learners.delete(cc.nodeId);
        break;
    }
  }
  const sorted = (s: Set<RaftId>): RaftId[] => [...s].sort((a, b) => a - b);
  return { voters: sorted(voters), learners: sorted(learners) };
}

/**
 * The entries and hard state that leave `self` (at `address`) the only member. Pure: reads the
 * log as persisted. Refuses a log that holds no membership, or one this member is not part of
 * (it was removed: its copy of the state is not the group's).
 */
export function planForceNewCluster(mem: MemoryStorage, self: RaftId, address: string): ForceNewClusterPlan {
  const hs = mem.initialState().hardState;
  if (mem.snapshot().metadata.index === 0 && mem.lastIndex() === 0) {
    throw new ForceNewClusterError(
      'this manager has no Raft state to recover a swarm from; run `docker swarm init` without --force-new-cluster',
    );
  }
  const before = committedConfState(mem);
  if (!before.voters.includes(self) && !before.learners.includes(self)) {
    throw new ForceNewClusterError(
      `this manager (Raft member ${self}) is not a member of its own Raft group (it was removed or ` +
        "demoted): its state is not the swarm's; run `docker swarm leave --force` and join or init again",
    );
  }
  const removed = [...before.voters, ...before.learners].filter((id) => id !== self).sort((a, b) => a - b);
  const changes: ConfChange[] = removed.map((nodeId) => ({
    type: ConfChangeType.RemoveNode,
    nodeId,
    context: new Uint8Array(0),
  }));
  // Always added (a no-op for a voter): makes a learner a voter and records the new address.
  changes.push({ type: ConfChangeType.AddNode, nodeId: self, context: encodeMemberContext(address) });
  const entries: Entry[] = changes.map((cc, i) => ({
    index: hs.commit + 1 + i,
    term: hs.term,
    type: EntryType.ConfChange,
    data: encodeConfChange(cc),
  }));
  return {
    before,
    removed,
    dropped: mem.lastIndex() - hs.commit,
    entries,
    hardState: { term: hs.term, vote: hs.vote, commit: hs.commit + entries.length },
  };
}

export interface ForceNewClusterOptions {
  readonly self: RaftId;
  /** This member's Raft address from now on (the other members learn it from the log). */
  readonly address: string;
  /** How the store is opened (the same as the manager opens it). */
  readonly storage?: LevelStorageOptions;
}

/**
 * Rewrites the closed Raft store in `dir` (see the top of this file) in one synced write, and
 * closes it. The manager using the store must be stopped first (LevelDB's lock refuses it
 * otherwise, with StorageLockedError).
 */
export async function forceNewCluster(dir: string, o: ForceNewClusterOptions): Promise<ForceNewClusterPlan> {
  const storage = await LevelStorage.open(dir, o.storage);
  try {
    const plan = planForceNewCluster(storage.memory, o.self, o.address);
    await storage.save({ entries: plan.entries, hardState: plan.hardState }, true);
    return plan;
  } finally {
    await storage.close();
  }
}

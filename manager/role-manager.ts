// Leader-only: moves each node's current role towards the role its spec asks for (`node
// promote` / `node demote`). A promotion is recorded at once; the node then renews its
// certificate as a manager and joins the Raft group itself (Control.JoinRaft). A demotion first
// removes the manager from the Raft group (moving leadership away if it is this manager), and
// only then records it as a worker, so it never drops out while still counted in the quorum.
// It also removes Raft members no node claims any more (a join abandoned half-way, a node
// removed before its member was recorded or removed): after a grace period, a learner always,
// a voter only once it has stopped answering (a live manager is never dropped for a record).

import type { Logger } from 'pino';
import { abortableSleep } from '../api/clock/abortable-sleep.js';
import { hasExpiredEntries, pruneRemovedNodes } from './ca/removed-nodes.js';
import type { Clock } from '../api/clock/clock.js';
import type { RaftNode } from './raft/driver/raft-node.js';
import { isolated } from './loop/store-writes.js';
import type { MemoryStore, Node } from './store/index.js';

/**
 * How long a Raft member may go unclaimed by any node record (Node.managerStatus.raftId) before
 * the leader removes it: covers a join between its AddLearner commit and the record, and a new
 * leader whose store is still applying the log.
 */
export const ORPHAN_MEMBER_GRACE_MS = 30_000;

export interface RoleManagerOptions {
  readonly store: MemoryStore;
  readonly raft: RaftNode;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly periodMs?: number;
  readonly orphanGraceMs?: number;
}

export class RoleManager {
  readonly name = 'role-manager';
  private readonly o: RoleManagerOptions;
  /** Raft members no node record claims, and since when (this leader's clock). */
  private readonly unclaimedSince = new Map<number, number>();

  constructor(o: RoleManagerOptions) {
    this.o = o;
  }

  async run(signal: AbortSignal): Promise<void> {
    // A new term of leadership starts the grace periods afresh (its store may still be applying).
    this.unclaimedSince.clear();
    while (!signal.aborted) {
      try {
        await this.reconcile();
      } catch (e: unknown) {
        if (signal.aborted) return;
        this.o.logger.warn(
          { err: e instanceof Error ? e.message : String(e) },
          'role reconciliation failed; retrying',
        );
      }
      await abortableSleep(this.o.clock, this.o.periodMs ?? 500, signal);
    }
  }

  /** One pass over the nodes being promoted or demoted. */
  async reconcile(): Promise<void> {
    const { store, raft } = this.o;
    if (!raft.isLeader()) return;
    // Removed nodes whose certificates have all expired leave the cluster's list (a cheap read
    // first: a write only when one has expired).
    const now = this.o.clock.now();
    const cluster = store.view((tx) => tx.list('clusters')[0]);
    if (cluster !== undefined && hasExpiredEntries(cluster, now)) {
      await store.update((tx) => void pruneRemovedNodes(tx, now));
    }
    // Promotion is safe at once: the node gets a manager certificate at its next renewal
    // (which its session prompts) and then joins the Raft group as a learner.
    const promoted = store.view((tx) =>
      tx.list('nodes').filter((n) => n.spec.role === 'manager' && n.role === 'worker'),
    );
    if (promoted.length > 0) {
      await store.update((tx) => {
        for (const p of promoted) {
          isolated(tx, this.o.logger, 'promotion', { node: p.id }, () => {
            const n = tx.get('nodes', p.id);
            if (n && n.spec.role === 'manager' && n.role === 'worker')
              tx.update('nodes', { ...n, role: 'manager' });
          });
        }
      });
    }
    const demoted = store.view((tx) =>
      tx.list('nodes').filter((n) => n.spec.role === 'worker' && n.role === 'manager'),
    );
    for (const node of demoted) {
      // One node that cannot be demoted now (logged) does not hold up the others.
      try {
        if ((await this.demote(node)) === 'stop') return;
      } catch (e: unknown) {
        if (!raft.isLeader()) return;
        this.o.logger.warn(
          { node: node.id, err: e },
          'demotion failed; will retry, going on with the others',
        );
      }
    }
    await this.removeUnclaimedMembers();
  }

  /**
   * Removes Raft members that no node record has claimed for the grace period: a learner
   * always (it holds no vote, and nobody will ever promote or demote it), a voter only while
   * it does not answer the leader (a running manager is kept, whatever its record says).
   */
  private async removeUnclaimedMembers(): Promise<void> {
    const { store, raft } = this.o;
    if (!raft.isLeader()) return;
    const status = raft.status();
    const { voters, learners } = status.confState;
    const members = new Set([...voters, ...learners]);
    const claimed = store.view(
      (tx) =>
        new Set(
          tx.list('nodes').flatMap((n) => (n.managerStatus !== undefined ? [n.managerStatus.raftId] : [])),
        ),
    );
    for (const id of [...this.unclaimedSince.keys()]) {
      if (!members.has(id) || claimed.has(id)) this.unclaimedSince.delete(id);
    }
    const now = this.o.clock.now();
    const grace = this.o.orphanGraceMs ?? ORPHAN_MEMBER_GRACE_MS;
    for (const id of members) {
      if (id === raft.id || claimed.has(id)) continue;
      const since = this.unclaimedSince.get(id);
      if (since === undefined) {
        this.unclaimedSince.set(id, now);
        continue;
      }
      if (now - since < grace) continue;
      const voter = voters.includes(id);
      if (voter && status.progress.get(id)?.recentActive === true) continue;
      this.o.logger.info(
        { raftId: id, voter, unclaimedMs: now - since },
        'removing a raft member that no node claims (its node was removed or never finished joining)',
      );
      await raft.removeMember(id);
      this.unclaimedSince.delete(id);
    }
  }

  /** Demotes one node; 'stop' when leadership is being handed over (the new leader finishes). */
  private async demote(node: Node): Promise<'done' | 'stop'> {
    const { store, raft } = this.o;
    const raftId = node.managerStatus?.raftId;
    const conf = raft.status().confState;
    const member = raftId !== undefined && (conf.voters.includes(raftId) || conf.learners.includes(raftId));
    if (member && raftId !== undefined) {
      if (raftId === raft.id) {
        // Demoting the leader: hand leadership to another voter first; the new leader finishes.
        const to = conf.voters.find((v) => v !== raft.id);
        if (to === undefined) {
          this.o.logger.warn({ node: node.id }, 'refusing to demote the last manager');
          return 'done';
        }
        raft.transferLeadership(to);
        return 'stop';
      }
      this.o.logger.info({ node: node.id, raftId }, 'demotion: removing the manager from the raft group');
      await raft.removeMember(raftId);
    }
    await store.update((tx) => {
      const n = tx.get('nodes', node.id);
      if (!n || n.spec.role !== 'worker') return;
      const { managerStatus: _gone, ...rest } = n;
      tx.update('nodes', { ...rest, role: 'worker' });
    });
    return 'done';
  }
}

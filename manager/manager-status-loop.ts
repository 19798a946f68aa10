// Leader-only: keeps each manager node's managerStatus (what `node ls` shows as MANAGER STATUS:
// Leader / Reachable / Unreachable) in step with Raft: who leads, and which members the leader
// heard from recently. A manager whose Raft member is no longer in the group is unreachable.

import type { Logger } from 'pino';
import { abortableSleep } from '../api/clock/abortable-sleep.js';
import type { Clock } from '../api/clock/clock.js';
import type { RaftNode } from './raft/driver/raft-node.js';
import { isolated } from './loop/store-writes.js';
import type { MemoryStore } from './store/index.js';
import type { ManagerStatus } from '../api/objects/index.js';

export class ManagerStatusLoop {
  readonly name = 'manager-status';
  private readonly store: MemoryStore;
  private readonly raft: RaftNode;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly periodMs: number;

  constructor(o: { store: MemoryStore; raft: RaftNode; clock: Clock; logger: Logger; periodMs?: number }) {
    this.store = o.store;
    this.raft = o.raft;
    this.clock = o.clock;
    this.logger = o.logger;
    this.periodMs = o.periodMs ?? 1_000;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.reconcile();
      } catch (e: unknown) {
        if (signal.aborted) return;
        this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'manager status update failed');
      }
      await abortableSleep(this.clock, this.periodMs, signal);
    }
  }

  /** One pass: computes every manager node's status and writes those that changed. */
  async reconcile(): Promise<void> {
    if (!this.raft.isLeader()) return;
    const status = this.raft.status();
    const addresses = this.raft.memberAddresses();
    const members = new Set([...status.confState.voters, ...status.confState.learners]);
    const changes = this.store.view((tx) =>
      tx
        .list('nodes')
        .filter((n) => n.managerStatus !== undefined)
        .map((n) => {
          const ms = n.managerStatus!;
          if (!members.has(ms.raftId)) {
            // Its member left the group while the node is still a manager (a demotion under way,
            // or the managers `swarm init --force-new-cluster` left behind): it answers nobody.
            const gone = !ms.leader && ms.reachability === 'unreachable';
            return gone
              ? undefined
              : { id: n.id, next: { ...ms, leader: false, reachability: 'unreachable' as const } };
          }
          const self = ms.raftId === this.raft.id;
          const pr = status.progress.get(ms.raftId);
          const next: ManagerStatus = {
            raftId: ms.raftId,
            addr: addresses.get(ms.raftId) ?? ms.addr,
            leader: self,
            reachability: self || pr?.recentActive || pr?.state === 'replicate' ? 'reachable' : 'unreachable',
          };
          const same =
            next.addr === ms.addr && next.leader === ms.leader && next.reachability === ms.reachability;
          return same ? undefined : { id: n.id, next };
        })
        .filter((c) => c !== undefined),
    );
    if (changes.length === 0) return;
    await this.store.update((tx) => {
      for (const c of changes) {
        isolated(tx, this.logger, 'manager status', { node: c.id }, () => {
          const n = tx.get('nodes', c.id);
          if (n) tx.update('nodes', { ...n, managerStatus: c.next });
        });
      }
    });
  }
}

// The membership configuration (voters and learners) and the leader's per-member progress,
// plus the votes collected during an election.

import { invariant } from './errors.js';
import { Progress } from './progress.js';
import { committedIndex, hasQuorum, voteResult, type VoteResult } from './quorum.js';
import type { ConfState, RaftId } from './types.js';

export class ProgressTracker {
  voters = new Set<RaftId>();
  learners = new Set<RaftId>();
  progress = new Map<RaftId, Progress>();
  votes = new Map<RaftId, boolean>();
  readonly maxInflight: number;

  constructor(maxInflight: number) {
    this.maxInflight = maxInflight;
  }

  confState(): ConfState {
    return {
      voters: [...this.voters].sort((a, b) => a - b),
      learners: [...this.learners].sort((a, b) => a - b),
    };
  }

  isSingleton(): boolean {
    return this.voters.size === 1;
  }

  isVoter(id: RaftId): boolean {
    return this.voters.has(id);
  }

  isMember(id: RaftId): boolean {
    return this.voters.has(id) || this.learners.has(id);
  }

  /** Sorted member IDs, so that iteration order (and so message order) is deterministic. */
  memberIds(): RaftId[] {
    return [...this.progress.keys()].sort((a, b) => a - b);
  }

  committed(): number {
    return committedIndex(this.voters, (id) => this.progress.get(id)?.match);
  }

  recordVote(id: RaftId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    return { granted, rejected, result: voteResult(this.voters, this.votes) };
  }

  /** Whether a quorum of voters was active since the last check (CheckQuorum). */
  quorumActive(): boolean {
    return hasQuorum(this.voters, (id) => this.progress.get(id)?.recentActive === true);
  }

  /** Replaces the configuration wholesale (at start or on snapshot restore). */
  reset(cs: ConfState, nextIndex: number): void {
    this.voters = new Set(cs.voters);
    this.learners = new Set(cs.learners);
    for (const id of this.learners) {
      invariant(!this.voters.has(id), () => `member ${id} is both voter and learner`);
    }
    this.progress = new Map();
    for (const id of this.voters) this.progress.set(id, new Progress(nextIndex, this.maxInflight, false));
    for (const id of this.learners) this.progress.set(id, new Progress(nextIndex, this.maxInflight, true));
    this.votes.clear();
  }

  addVoter(id: RaftId, nextIndex: number): void {
    this.learners.delete(id);
    this.voters.add(id);
    const p = this.progress.get(id);
    if (p) p.isLearner = false;
    else this.progress.set(id, new Progress(nextIndex, this.maxInflight, false));
  }

  addLearner(id: RaftId, nextIndex: number): void {
    // Demoting a voter straight to a learner is not supported (remove, then add as learner).
    if (this.voters.has(id)) return;
    this.learners.add(id);
    if (!this.progress.has(id)) this.progress.set(id, new Progress(nextIndex, this.maxInflight, true));
  }

  remove(id: RaftId): void {
    this.voters.delete(id);
    this.learners.delete(id);
    this.progress.delete(id);
    this.votes.delete(id);
  }
}

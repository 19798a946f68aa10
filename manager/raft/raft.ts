// The Raft protocol of one member: how ticks and messages move its state (raft-state.ts):
// elections (with PreVote and CheckQuorum), log replication with flow control, snapshots,
// membership, leadership transfer and ReadIndex. Pure: driven by tick() and step(); it only
// appends outgoing messages to `msgs`.

import { invariant } from './errors.js';
import { NO_LIMIT } from './log.js';
import { ProgressState } from './progress.js';
import { ACCEPTED, dropped, type StepResult } from './step-result.js';
import { VoteResult, hasQuorum } from './quorum.js';
import {
  ConfChangeType,
  EntryType,
  MessageType,
  NONE,
  StateRole,
  message,
  type ConfChange,
  type ConfState,
  type Entry,
  type Message,
  type RaftId,
} from './types.js';
import { RaftState } from './raft-state.js';

export type { RaftConfig, RaftLogger } from './raft-config.js';

/** Context marking a vote request made on the leader's behalf in a transfer (skips the lease). */
const CAMPAIGN_TRANSFER = new Uint8Array([0x74, 0x72]); // "tr"

type CampaignType = 'pre-election' | 'election' | 'transfer';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Raft extends RaftState {
  // ---- ticks ----

  tick(): void {
    if (this.role === StateRole.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(message({ type: MessageType.Hup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step(message({ type: MessageType.CheckQuorum, from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.role === StateRole.Leader && this.leadTransferee !== NONE) this.leadTransferee = NONE;
    }
    if (this.role !== StateRole.Leader) return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: MessageType.Beat, from: this.id }));
    }
  }

  persisted(index: number, term: number): void {
    if (this.role !== StateRole.Leader || this.log.term(index) !== term) return;
    const self = this.tracker.progress.get(this.id);
    if (!self || !self.maybeUpdate(index)) return;
    if (this.maybeCommit()) {
      this.releasePendingReadIndex();
      this.bcastAppend();
    }
  }

  // ---- elections ----

  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    const ents = this.log.slice(
      Math.max(this.log.applied + 1, this.log.firstIndex()),
      this.log.committed + 1,
      NO_LIMIT,
    );
    return ents.some((e) => e.type === EntryType.ConfChange);
  }

  private hup(t: CampaignType): void {
    if (this.role === StateRole.Leader) return;
    if (!this.promotable()) {
      this.logger.warn(`${this.id} is not a voter and cannot campaign`);
      return;
    }
    if (this.hasUnappliedConfChanges()) {
      this.logger.warn(
        `${this.id} cannot campaign at term ${this.term}: configuration changes are still to be applied`,
      );
      return;
    }
    this.campaign(t);
  }

  private campaign(t: CampaignType): void {
    let term: number;
    let voteType: MessageType;
    if (t === 'pre-election') {
      this.becomePreCandidate();
      voteType = MessageType.PreVote;
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = MessageType.Vote;
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes().result === VoteResult.Won) {
      // A single-member cluster wins at once.
      if (t === 'pre-election') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.tracker.memberIds()) {
      if (id === this.id || !this.tracker.isVoter(id)) continue;
      this.send(
        message({
          type: voteType,
          to: id,
          term,
          index: this.log.lastIndex(),
          logTerm: this.log.lastTerm(),
          ...(t === 'transfer' ? { context: CAMPAIGN_TRANSFER } : {}),
        }),
      );
    }
  }

  private poll(from: RaftId, granted: boolean): VoteResult {
    this.tracker.recordVote(from, granted);
    return this.tracker.tallyVotes().result;
  }

  // ---- step ----

  /**
   * Feeds one message. A proposal or read request that cannot be taken now is dropped and the
   * drop returned; only a broken invariant throws.
   */
  step(m: Message): StepResult {
    if (m.term === 0) {
      // local message
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = sameBytes(m.context, CAMPAIGN_TRANSFER);
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        if (!force && inLease) {
          // We heard from a leader within the minimum election timeout: ignore (lease protection).
          return ACCEPTED;
        }
      }
      if (m.type === MessageType.PreVote) {
        // Never change our term in response to a PreVote.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // The term in a granted PreVoteResp is the future term we asked for; it is adopted on winning.
      } else if (
        m.type === MessageType.App ||
        m.type === MessageType.Heartbeat ||
        m.type === MessageType.Snap
      ) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if (
        (this.checkQuorum || this.preVote) &&
        (m.type === MessageType.Heartbeat || m.type === MessageType.App)
      ) {
        // A stale leader (e.g. after a partition heals) learns the new term and steps down.
        this.send(message({ type: MessageType.AppResp, to: m.from }));
      } else if (m.type === MessageType.PreVote) {
        this.send(message({ type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true }));
      }
      return ACCEPTED;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(this.preVote ? 'pre-election' : 'election');
        return ACCEPTED;
      case MessageType.Vote:
      case MessageType.PreVote: {
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === MessageType.PreVote && m.term > this.term);
        const respType = m.type === MessageType.Vote ? MessageType.VoteResp : MessageType.PreVoteResp;
        if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
          this.send(message({ type: respType, to: m.from, term: m.term }));
          if (m.type === MessageType.Vote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(message({ type: respType, to: m.from, term: this.term, reject: true }));
        }
        return ACCEPTED;
      }
      default:
        break;
    }
    switch (this.role) {
      case StateRole.Leader:
        return this.stepLeader(m);
      case StateRole.Candidate:
      case StateRole.PreCandidate:
        return this.stepCandidate(m);
      case StateRole.Follower:
        return this.stepFollower(m);
    }
  }

  private stepLeader(m: Message): StepResult {
    switch (m.type) {
      case MessageType.Beat:
        this.bcastHeartbeat();
        return ACCEPTED;
      case MessageType.CheckQuorum: {
        const self = this.tracker.progress.get(this.id);
        if (self) self.recentActive = true;
        if (!this.tracker.quorumActive()) {
          this.logger.warn(`${this.id} stepped down to follower since quorum is not active`);
          this.becomeFollower(this.term, NONE);
        }
        for (const [id, pr] of this.tracker.progress) pr.recentActive = id === this.id;
        return ACCEPTED;
      }
      case MessageType.Prop:
        return this.leaderPropose(m);
      case MessageType.ReadIndex:
        if (!this.committedEntryInCurrentTerm()) {
          // Our commit index is not known to be current until an entry of this term commits.
          this.pendingReadIndex.push(m);
          return ACCEPTED;
        }
        this.leaderReadIndex(m);
        return ACCEPTED;
      case MessageType.TransferLeader:
        this.leaderTransfer(m.from);
        return ACCEPTED;
      default:
        break;
    }
    const pr = this.tracker.progress.get(m.from);
    if (!pr) return ACCEPTED; // not a member (any more)
    switch (m.type) {
      case MessageType.AppResp:
        this.handleAppendResponse(m);
        return ACCEPTED;
      case MessageType.HeartbeatResp: {
        pr.recentActive = true;
        pr.probeSent = false;
        // A heartbeat answered means the follower is alive: free one slot so a full window moves.
        if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirstOne();
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from);
        if (m.context.byteLength === 0) return ACCEPTED;
        const acks = this.readOnly.recvAck(m.from, m.context);
        if (!acks) return ACCEPTED;
        const self = this.id;
        if (!hasQuorum(this.tracker.voters, (id) => id === self || acks.has(id))) return ACCEPTED;
        for (const rs of this.readOnly.advance(m.context)) this.respondReadIndex(rs.req, rs.index);
        return ACCEPTED;
      }
      case MessageType.SnapStatus:
        if (pr.state !== ProgressState.Snapshot) return ACCEPTED;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        // Wait for a heartbeat response before sending the next append.
        pr.probeSent = true;
        return ACCEPTED;
      case MessageType.Unreachable:
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        return ACCEPTED;
      default:
        return ACCEPTED;
    }
  }

  private leaderPropose(m: Message): StepResult {
    invariant(m.entries.length > 0, () => `${this.id} stepped empty proposal`);
    if (!this.tracker.progress.has(this.id)) {
      return dropped('removed', 'this member was removed from the cluster');
    }
    if (this.leadTransferee !== NONE) {
      return dropped('transferring', `leadership is being transferred to ${this.leadTransferee}`);
    }
    // Check the whole batch before changing anything: a refused batch leaves no trace.
    let confAt = -1;
    for (let i = 0; i < m.entries.length; i++) {
      if (m.entries[i]!.type !== EntryType.ConfChange) continue;
      if (confAt >= 0)
        return dropped('conf-changes-batched', 'only one configuration change may be proposed at a time');
      if (this.pendingConfIndex > this.log.applied) {
        return dropped(
          'conf-change-pending',
          `a configuration change at index ${this.pendingConfIndex} is not applied yet (applied ${this.log.applied})`,
        );
      }
      confAt = i;
    }
    if (confAt >= 0) this.pendingConfIndex = this.log.lastIndex() + confAt + 1;
    this.appendEntries(m.entries);
    this.bcastAppend();
    return ACCEPTED;
  }

  private leaderReadIndex(m: Message): void {
    if (this.tracker.isSingleton()) {
      this.respondReadIndex(m, this.log.committed);
      return;
    }
    this.readOnly.addRequest(this.log.committed, m);
    this.readOnly.recvAck(this.id, m.context);
    this.bcastHeartbeat(m.context);
  }

  private respondReadIndex(req: Message, index: number): void {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index, requestCtx: req.context });
    } else {
      this.send(message({ type: MessageType.ReadIndexResp, to: req.from, index, context: req.context }));
    }
  }

  private releasePendingReadIndex(): void {
    if (this.pendingReadIndex.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const pending = this.pendingReadIndex;
    this.pendingReadIndex = [];
    for (const m of pending) this.leaderReadIndex(m);
  }

  private leaderTransfer(target: RaftId): void {
    const pr = this.tracker.progress.get(target);
    if (!pr || pr.isLearner) {
      this.logger.warn(`${this.id} ignores leadership transfer to ${target}: not a voter`);
      return;
    }
    if (this.leadTransferee === target) return;
    // A new request replaces a pending one; a transfer to ourselves just cancels it.
    this.leadTransferee = NONE;
    if (target === this.id) return;
    this.leadTransferee = target;
    // The transfer must finish within one election timeout.
    this.electionElapsed = 0;
    if (pr.match === this.log.lastIndex()) this.send(message({ type: MessageType.TimeoutNow, to: target }));
    else this.sendAppend(target);
  }

  private handleAppendResponse(m: Message): void {
    const pr = this.tracker.progress.get(m.from)!;
    pr.recentActive = true;
    if (m.reject) {
      let hint = m.rejectHint;
      if (m.logTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.logTerm);
      if (pr.maybeDecrTo(m.index, hint)) {
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const oldPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.index)) return;
    if (pr.state === ProgressState.Probe) pr.becomeReplicate();
    else if (pr.state === ProgressState.Snapshot && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === ProgressState.Replicate) pr.inflights.freeLE(m.index);

    if (this.maybeCommit()) {
      this.releasePendingReadIndex();
      this.bcastAppend();
    } else if (oldPaused) {
      this.sendAppend(m.from);
    }
    // Pipelining: keep sending while the window allows and entries remain.
    while (this.sendAppend(m.from, false)) {
      /* keep going */
    }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
      this.send(message({ type: MessageType.TimeoutNow, to: m.from }));
    }
  }

  private stepCandidate(m: Message): StepResult {
    const myResp = this.role === StateRole.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.Prop:
        return dropped('no-leader', `no leader at term ${this.term} (election in progress)`);
      case MessageType.App:
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return ACCEPTED;
      case MessageType.Heartbeat:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return ACCEPTED;
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return ACCEPTED;
      case myResp: {
        const res = this.poll(m.from, !m.reject);
        if (res === VoteResult.Won) {
          if (this.role === StateRole.PreCandidate) this.campaign('election');
          else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (res === VoteResult.Lost) {
          // A PreVoteResp carries the future term; keep our own.
          this.becomeFollower(this.term, NONE);
        }
        return ACCEPTED;
      }
      default:
        return ACCEPTED;
    }
  }

  private stepFollower(m: Message): StepResult {
    switch (m.type) {
      case MessageType.Prop:
        if (this.lead === NONE) return dropped('no-leader', `no leader at term ${this.term}`);
        this.send({ ...m, to: this.lead });
        return ACCEPTED;
      case MessageType.App:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return ACCEPTED;
      case MessageType.Heartbeat:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return ACCEPTED;
      case MessageType.Snap:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return ACCEPTED;
      case MessageType.TransferLeader:
        if (this.lead === NONE) return ACCEPTED;
        this.send({ ...m, to: this.lead, term: 0 });
        return ACCEPTED;
      case MessageType.TimeoutNow:
        // The leader asks us to campaign at once (transfer): no PreVote, no lease check.
        this.hup('transfer');
        return ACCEPTED;
      case MessageType.ReadIndex:
        if (this.lead === NONE) return dropped('no-leader', `no leader at term ${this.term} to serve a read`);
        this.send({ ...m, to: this.lead });
        return ACCEPTED;
      case MessageType.ReadIndexResp:
        this.readStates.push({ index: m.index, requestCtx: m.context });
        return ACCEPTED;
      default:
        return ACCEPTED;
    }
  }

  // ---- follower handlers ----

  private handleAppendEntries(m: Message): void {
    if (m.index < this.log.committed) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: lastNew }));
      return;
    }
    // Reject with a hint: the largest index whose term is <= the leader's term at m.index.
    let hintIndex = Math.min(m.index, this.log.lastIndex());
    hintIndex = this.log.findConflictByTerm(hintIndex, m.logTerm);
    const hintTerm = this.log.term(hintIndex);
    this.send(
      message({
        type: MessageType.AppResp,
        to: m.from,
        index: m.index,
        reject: true,
        rejectHint: hintIndex,
        logTerm: hintTerm,
      }),
    );
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(m.commit);
    this.send(message({ type: MessageType.HeartbeatResp, to: m.from, context: m.context }));
  }

  private handleSnapshot(m: Message): void {
    const s = m.snapshot;
    invariant(s !== undefined, () => 'snapshot message without a snapshot');
    if (this.restore(s.metadata.index, s.metadata.term)) {
      this.log.restore(s);
      this.tracker.reset(s.metadata.confState, this.log.lastIndex() + 1);
      this.logger.info(`${this.id} restored snapshot at ${s.metadata.index} (term ${s.metadata.term})`);
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.lastIndex() }));
    } else {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
    }
  }

  /** Whether a snapshot at (index, term) should replace our log. */
  private restore(index: number, term: number): boolean {
    if (index <= this.log.committed) return false;
    // A snapshot whose configuration lacks this member is still installed: a newly added
    // member gets the leader's latest snapshot, which may predate its addition, and learns of
    // its membership by applying the log after it.
    if (this.log.matchTerm(index, term)) {
      // We already have the snapshot's last entry: just fast-forward the commit index.
      this.log.commitTo(index);
      return false;
    }
    return true;
  }

  // ---- membership ----

  /** Applies a committed conf change to the configuration; returns the new configuration. */
  applyConfChange(cc: ConfChange): ConfState {
    const next = this.log.lastIndex() + 1;
    switch (cc.type) {
      case ConfChangeType.AddNode:
        this.tracker.addVoter(cc.nodeId, next);
        break;
      case ConfChangeType.AddLearner:
        this.tracker.addLearner(cc.nodeId, next);
        break;
      case ConfChangeType.RemoveNode:
        this.tracker.remove(cc.nodeId);
        break;
    }
    if (this.role === StateRole.Leader) {
      if (!this.tracker.isVoter(this.id)) {
        // The leader was removed (or demoted): it steps down once its removal is applied.
        this.logger.info(`${this.id} steps down: it is no longer a voter`);
        this.becomeFollower(this.term, NONE);
      } else {
        if (this.leadTransferee !== NONE && !this.tracker.isVoter(this.leadTransferee))
          this.leadTransferee = NONE;
        // A smaller quorum may commit more.
        if (this.maybeCommit()) this.bcastAppend();
      }
    }
    return this.tracker.confState();
  }

  // ---- requests from the application ----

  propose(entries: readonly Entry[]): StepResult {
    return this.step(message({ type: MessageType.Prop, from: this.id, entries }));
  }
}

// The Raft state machine of one member: roles, terms, elections (with PreVote and CheckQuorum),
// log replication with flow control, snapshots, membership, leadership transfer and ReadIndex.
// Pure: driven by tick() and step(); it only appends outgoing messages to `msgs`.

import { RaftError, SnapshotTemporarilyUnavailableError, invariant } from './errors.js';
import { RaftLog, NO_LIMIT } from './log.js';
import { ProgressState } from './progress.js';
import type { RandomSource } from './random.js';
import { ReadOnly } from './read-only.js';
import { ACCEPTED, dropped, type StepResult } from './step-result.js';
import type { Storage } from './storage.js';
import { ProgressTracker } from './tracker.js';
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
  type HardState,
  type Message,
  type RaftId,
  type ReadState,
  type SoftState,
} from './types.js';

export interface RaftConfig {
  readonly id: RaftId;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). */
  readonly electionTick: number;
  /** Ticks between leader heartbeats; must be less than electionTick. */
  readonly heartbeatTick: number;
  readonly storage: Storage;
  readonly random: RandomSource;
  /** Last index the application applied (on restart). */
  readonly applied?: number;
  /** Max bytes of entries per append message. */
  readonly maxSizePerMsg?: number;
  /** Max bytes of committed entries handed out per Ready. */
  readonly maxCommittedSizePerReady?: number;
  /** Max append messages in flight to one follower (pipelining window). */
  readonly maxInflightMsgs?: number;
  readonly checkQuorum?: boolean;
  readonly preVote?: boolean;
  readonly logger?: RaftLogger;
}

export interface RaftLogger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

const SILENT: RaftLogger = { debug: () => {}, info: () => {}, warn: () => {} };

/** Context marking a vote request made on the leader's behalf in a transfer (skips the lease). */
const CAMPAIGN_TRANSFER = new Uint8Array([0x74, 0x72]); // "tr"

type CampaignType = 'pre-election' | 'election' | 'transfer';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Raft {
  readonly id: RaftId;
  term = 0;
  vote: RaftId = NONE;
  lead: RaftId = NONE;
  role: StateRole = StateRole.Follower;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  readonly readOnly = new ReadOnly();
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  private pendingReadIndex: Message[] = [];

  /** Index of the newest conf change proposed by this leader; a new one waits until it is applied. */
  pendingConfIndex = 0;
  leadTransferee: RaftId = NONE;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private readonly electionTimeout: number;
  private readonly heartbeatTimeout: number;
  private readonly checkQuorum: boolean;
  private readonly preVote: boolean;
  private readonly maxMsgSize: number;
  readonly maxCommittedSize: number;
  private readonly random: RandomSource;
  private readonly logger: RaftLogger;

  constructor(c: RaftConfig) {
    invariant(c.id !== NONE && Number.isSafeInteger(c.id) && c.id > 0, () => `invalid raft id ${c.id}`);
    invariant(c.heartbeatTick > 0, () => 'heartbeat tick must be greater than 0');
    invariant(c.electionTick > c.heartbeatTick, () => 'election tick must be greater than heartbeat tick');
    this.id = c.id;
    this.electionTimeout = c.electionTick;
    this.heartbeatTimeout = c.heartbeatTick;
    this.checkQuorum = c.checkQuorum ?? true;
    this.preVote = c.preVote ?? true;
    this.maxMsgSize = c.maxSizePerMsg ?? 1024 * 1024;
    this.maxCommittedSize = c.maxCommittedSizePerReady ?? 64 * 1024 * 1024;
    this.random = c.random;
    this.logger = c.logger ?? SILENT;
    this.log = new RaftLog(c.storage);
    this.tracker = new ProgressTracker(c.maxInflightMsgs ?? 256);

    const { hardState, confState } = c.storage.initialState();
    this.tracker.reset(confState, this.log.lastIndex() + 1);
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0)
      this.loadHardState(hardState);
    if (c.applied !== undefined && c.applied > 0) this.log.appliedTo(c.applied);
    this.becomeFollower(this.term, NONE);
  }

  private loadHardState(hs: HardState): void {
    invariant(
      hs.commit >= this.log.committed && hs.commit <= this.log.lastIndex(),
      () =>
        `${this.id} state.commit ${hs.commit} is out of range [${this.log.committed}, ${this.log.lastIndex()}]`,
    );
    this.log.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { lead: this.lead, role: this.role };
  }

  /** Whether this member may become leader (it is a voter in its own configuration). */
  promotable(): boolean {
    return this.tracker.isVoter(this.id);
  }

  // ---- role transitions ----

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + this.random.intn(this.electionTimeout);
    this.leadTransferee = NONE;
    this.tracker.resetVotes();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.tracker.progress) {
      pr.becomeProbe();
      pr.match = id === this.id ? last : 0;
      pr.next = last + 1;
      pr.recentActive = false;
    }
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
  }

  becomeFollower(term: number, lead: RaftId): void {
    this.reset(term);
    this.lead = lead;
    this.role = StateRole.Follower;
    this.logger.debug(`${this.id} became follower at term ${this.term}`);
  }

  private becomeCandidate(): void {
    invariant(this.role !== StateRole.Leader, () => 'invalid transition [leader -> candidate]');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = StateRole.Candidate;
    this.logger.debug(`${this.id} became candidate at term ${this.term}`);
  }

  private becomePreCandidate(): void {
    invariant(this.role !== StateRole.Leader, () => 'invalid transition [leader -> pre-candidate]');
    // PreVote does not change term or vote: a partitioned node cannot disrupt the cluster.
    this.tracker.resetVotes();
    this.lead = NONE;
    this.role = StateRole.PreCandidate;
    this.logger.debug(`${this.id} became pre-candidate at term ${this.term}`);
  }

  private becomeLeader(): void {
    invariant(this.role !== StateRole.Follower, () => 'invalid transition [follower -> leader]');
    this.reset(this.term);
    this.lead = this.id;
    this.role = StateRole.Leader;
    const self = this.tracker.progress.get(this.id);
    if (self) self.becomeReplicate();
    // No conf change may be proposed before this leader's first entry is applied (this fixes the
    // single-server membership change bug found after the Raft paper).
    this.pendingConfIndex = this.log.lastIndex();
    this.appendEntries([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
    this.logger.info(`${this.id} became leader at term ${this.term}`);
  }

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

  // ---- sending ----

  send(m: Message): void {
    const needsTerm =
      m.type === MessageType.Vote ||
      m.type === MessageType.VoteResp ||
      m.type === MessageType.PreVote ||
      m.type === MessageType.PreVoteResp;
    if (needsTerm) {
      invariant(m.term !== 0, () => `term should be set when sending ${m.type}`);
      this.msgs.push({ ...m, from: this.id });
    } else if (
      m.type === MessageType.Prop ||
      m.type === MessageType.ReadIndex ||
      m.type === MessageType.TransferLeader
    ) {
      // Forwarded requests carry no term: the leader treats them as local.
      this.msgs.push({ ...m, from: m.from === NONE ? this.id : m.from, term: 0 });
    } else {
      this.msgs.push({ ...m, from: this.id, term: this.term });
    }
  }

  /** Sends an append (or a snapshot when the needed entries are compacted). */
  sendAppend(to: RaftId, sendIfEmpty = true): boolean {
    const pr = this.tracker.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.termOrCompacted(prevIndex);
    let ents: Entry[] | 'compacted';
    if (prevTerm === 'compacted') ents = 'compacted';
    else {
      try {
        ents = this.log.entries(pr.next, this.maxMsgSize);
      } catch (e: unknown) {
        if (e instanceof RaftError && e.code === 'COMPACTED') ents = 'compacted';
        else throw e;
      }
    }
    if (prevTerm === 'compacted' || ents === 'compacted') {
      if (!pr.recentActive) return false;
      let snap;
      try {
        snap = this.log.snapshot();
      } catch (e: unknown) {
        if (e instanceof SnapshotTemporarilyUnavailableError) return false;
        throw e;
      }
      invariant(snap.metadata.index > 0, () => 'need non-empty snapshot');
      pr.becomeSnapshot(snap.metadata.index);
      this.logger.debug(`${this.id} sends snapshot at ${snap.metadata.index} to ${to} [${pr.toString()}]`);
      this.send(message({ type: MessageType.Snap, to, snapshot: snap }));
      return true;
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send(
      message({
        type: MessageType.App,
        to,
        index: prevIndex,
        logTerm: prevTerm,
        entries: ents,
        commit: this.log.committed,
      }),
    );
    pr.updateOnEntriesSend(ents.length, prevIndex + ents.length);
    return true;
  }

  private sendHeartbeat(to: RaftId, ctx: Uint8Array | undefined): void {
    const pr = this.tracker.progress.get(to);
    // Never tell a follower to commit beyond what it is known to have.
    const commit = Math.min(pr?.match ?? 0, this.log.committed);
    this.send(message({ type: MessageType.Heartbeat, to, commit, ...(ctx ? { context: ctx } : {}) }));
  }

  bcastAppend(): void {
    for (const id of this.tracker.memberIds()) if (id !== this.id) this.sendAppend(id);
  }

  private bcastHeartbeat(ctx?: Uint8Array): void {
    const c = ctx ?? this.readOnly.lastPendingContext();
    for (const id of this.tracker.memberIds()) if (id !== this.id) this.sendHeartbeat(id, c);
  }

  private appendEntries(es: readonly Entry[]): void {
    let li = this.log.lastIndex();
    const stamped = es.map((e) => ({ ...e, term: this.term, index: ++li }));
    this.log.append(stamped);
    // The leader counts itself for these entries only once they are on its disk (persisted()),
    // which lets the application write them in parallel with sending them to followers.
  }

  /**
   * The application persisted the log up to (index, term). A leader now counts its own copy
   * toward the commit quorum.
   */
  persisted(index: number, term: number): void {
    if (this.role !== StateRole.Leader || this.log.term(index) !== term) return;
    const self = this.tracker.progress.get(this.id);
    if (!self || !self.maybeUpdate(index)) return;
    if (this.maybeCommit()) {
      this.releasePendingReadIndex();
      this.bcastAppend();
    }
  }

  private maybeCommit(): boolean {
    return this.log.maybeCommit(this.tracker.committed(), this.term);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
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

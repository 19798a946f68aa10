// One member's Raft state (term, vote, role, log, followers' progress), its role transitions,
// and the leader's replication primitives: sending appends, snapshots and heartbeats, and
// advancing the commit index. How ticks and messages drive these is in raft.ts. Pure: it only
// appends outgoing messages to `msgs`.

import { RaftError, SnapshotTemporarilyUnavailableError, invariant } from './errors.js';
import { RaftLog } from './log.js';
import type { RandomSource } from './random.js';
import { ReadOnly } from './read-only.js';
import { ProgressTracker } from './tracker.js';
import {
  EntryType,
  MessageType,
  NONE,
  StateRole,
  message,
  type Entry,
  type HardState,
  type Message,
  type RaftId,
  type ReadState,
  type SoftState,
} from './types.js';
import { SILENT, type RaftConfig, type RaftLogger } from './raft-config.js';

export abstract class RaftState {
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
  protected pendingReadIndex: Message[] = [];

  /** Index of the newest conf change proposed by this leader; a new one waits until it is applied. */
  pendingConfIndex = 0;
  leadTransferee: RaftId = NONE;

  protected electionElapsed = 0;
  protected heartbeatElapsed = 0;
  protected randomizedElectionTimeout = 0;
  protected readonly electionTimeout: number;
  protected readonly heartbeatTimeout: number;
  protected readonly checkQuorum: boolean;
  protected readonly preVote: boolean;
  protected readonly maxMsgSize: number;
  readonly maxCommittedSize: number;
  private readonly random: RandomSource;
  protected readonly logger: RaftLogger;

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

  protected loadHardState(hs: HardState): void {
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

  protected reset(term: number): void {
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

  protected becomeCandidate(): void {
    invariant(this.role !== StateRole.Leader, () => 'invalid transition [leader -> candidate]');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = StateRole.Candidate;
    this.logger.debug(`${this.id} became candidate at term ${this.term}`);
  }

  protected becomePreCandidate(): void {
    invariant(this.role !== StateRole.Leader, () => 'invalid transition [leader -> pre-candidate]');
    // PreVote does not change term or vote: a partitioned node cannot disrupt the cluster.
    this.tracker.resetVotes();
    this.lead = NONE;
    this.role = StateRole.PreCandidate;
    this.logger.debug(`${this.id} became pre-candidate at term ${this.term}`);
  }

  protected becomeLeader(): void {
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

  protected sendHeartbeat(to: RaftId, ctx: Uint8Array | undefined): void {
    const pr = this.tracker.progress.get(to);
    // Never tell a follower to commit beyond what it is known to have.
    const commit = Math.min(pr?.match ?? 0, this.log.committed);
    this.send(message({ type: MessageType.Heartbeat, to, commit, ...(ctx ? { context: ctx } : {}) }));
  }

  bcastAppend(): void {
    for (const id of this.tracker.memberIds()) if (id !== this.id) this.sendAppend(id);
  }

  protected bcastHeartbeat(ctx?: Uint8Array): void {
    const c = ctx ?? this.readOnly.lastPendingContext();
    for (const id of this.tracker.memberIds()) if (id !== this.id) this.sendHeartbeat(id, c);
  }

  protected appendEntries(es: readonly Entry[]): void {
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
  protected maybeCommit(): boolean {
    return this.log.maybeCommit(this.tracker.committed(), this.term);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }
}

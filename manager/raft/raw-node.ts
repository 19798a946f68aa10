// The application's handle on the Raft core: requests in (tick, step, propose, ...) and Ready
// batches out. Still pure: the caller persists, sends and applies, then calls advance().

import { encodeConfChange } from './conf-change.js';
import { invariant } from './errors.js';
import { Raft, type RaftConfig } from './raft.js';
import { ACCEPTED, dropped, type StepResult } from './step-result.js';
import {
  EntryType,
  MessageType,
  NONE,
  hardStateEqual,
  isLocalMessage,
  isResponseMessage,
  message,
  type ConfChange,
  type ConfState,
  type HardState,
  type Message,
  type RaftId,
  type Ready,
  type SoftState,
  StateRole,
} from './types.js';

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: string;
  readonly isLearner: boolean;
  readonly recentActive: boolean;
}

/** The member's own state, cheap to take (no copy of the configuration or progress). */
export interface BasicStatus {
  readonly id: RaftId;
  readonly term: number;
  readonly vote: RaftId;
  /** Highest index known committed. */
  readonly commit: number;
  /** Highest index the application applied (advanced by advance()). */
  readonly applied: number;
  /** Index of the last entry in the log, persisted or not. */
  readonly lastIndex: number;
  /** The leader this member knows of (NONE: none). */
  readonly lead: RaftId;
  readonly role: StateRole;
  readonly leadTransferee: RaftId;
}

export interface Status extends BasicStatus {
  readonly confState: ConfState;
  /** Followers' progress; only on the leader. */
  readonly progress: ReadonlyMap<RaftId, ProgressStatus>;
}

export class RawNode {
  /**
   * The core itself, for the Raft package's own tests and simulator, which inspect its
   * internals. An application drives a member only through the methods below.
   */
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private pending: Ready | undefined;
  private earlySend = false;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = this.raft.softState();
    this.prevHard = this.raft.hardState();
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (instead of waiting for the election timeout). */
  campaign(): void {
    this.raft.step(message({ type: MessageType.Hup, from: this.raft.id }));
  }

  /** Appends data to the log (forwarded to the leader by followers), or says why it was dropped. */
  propose(data: Uint8Array): StepResult {
    return this.raft.step(
      message({
        type: MessageType.Prop,
        from: this.raft.id,
        entries: [{ term: 0, index: 0, type: EntryType.Normal, data }],
      }),
    );
  }

  /**
   * Proposes one membership change; it takes effect when the application applies it. Dropped
   * (kind 'conf-change-pending') while an earlier one is not applied yet.
   */
  proposeConfChange(cc: ConfChange): StepResult {
    return this.raft.step(
      message({
        type: MessageType.Prop,
        from: this.raft.id,
        entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) }],
      }),
    );
  }

  /** Applies a committed conf change (call it when applying its entry). */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /**
   * Feeds a message received from a peer. A local message type is refused (dropped, kind
   * 'local-message'); responses from members not in the configuration are ignored. A forwarded
   * proposal the leader cannot take is returned as dropped too: nobody waits for it here (its
   * proposer times out or retries), so a driver may ignore that.
   */
  step(m: Message): StepResult {
    if (isLocalMessage(m.type)) {
      return dropped('local-message', `raft: cannot step the local message type ${m.type} from a peer`);
    }
    if (!this.raft.tracker.progress.has(m.from) && isResponseMessage(m.type)) return ACCEPTED;
    return this.raft.step(m);
  }

  transferLeadership(to: RaftId): void {
    this.raft.step(message({ type: MessageType.TransferLeader, from: to }));
  }

  /**
   * Requests a linearizable read; a ReadState with the same context appears in a later Ready.
   * Dropped when no leader is known.
   */
  readIndex(context: Uint8Array): StepResult {
    return this.raft.step(message({ type: MessageType.ReadIndex, from: this.raft.id, context }));
  }

  reportUnreachable(id: RaftId): void {
    this.raft.step(message({ type: MessageType.Unreachable, from: id }));
  }

  reportSnapshot(id: RaftId, ok: boolean): void {
    this.raft.step(message({ type: MessageType.SnapStatus, from: id, reject: !ok }));
  }

  hasReady(): boolean {
    invariant(this.pending === undefined, () => 'hasReady() called before advance() of the previous Ready');
    const r = this.raft;
    const soft = r.softState();
    if (soft.lead !== this.prevSoft.lead || soft.role !== this.prevSoft.role) return true;
    const hs = r.hardState();
    if (!hardStateEqual(hs, this.prevHard)) return true;
    if (r.log.hasPendingSnapshot()) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    if (r.log.unstable.entries.length > 0) return true;
    return r.log.hasNextCommittedEntries();
  }

  /** Takes the next batch of work. Call advance() once it has been handled. */
  ready(): Ready {
    invariant(this.pending === undefined, () => 'ready() called before advance() of the previous Ready');
    const r = this.raft;
    const soft = r.softState();
    const hs = r.hardState();
    const entries = r.log.unstableEntries();
    const snapshot = r.log.unstable.snapshot;
    const committedEntries = r.log.nextCommittedEntries(r.maxCommittedSize);
    const softChanged = soft.lead !== this.prevSoft.lead || soft.role !== this.prevSoft.role;
    const hardChanged = !hardStateEqual(hs, this.prevHard);
    const termOrVoteChanged = hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote;
    this.earlySend = r.role === StateRole.Leader && !termOrVoteChanged && snapshot === undefined;
    const rd: Ready = {
      ...(softChanged ? { softState: soft } : {}),
      ...(hardChanged ? { hardState: hs } : {}),
      ...(snapshot ? { snapshot } : {}),
      readStates: r.readStates,
      entries,
      committedEntries,
      messages: r.msgs,
      mustSync: entries.length > 0 || termOrVoteChanged,
    };
    r.msgs = [];
    r.readStates = [];
    if (softChanged) this.prevSoft = soft;
    if (hardChanged) this.prevHard = hs;
    this.pending = rd;
    return rd;
  }

  /**
   * The previous Ready was persisted, sent and applied. A leader's messages may be sent before
   * its entries are persisted (see canSendBeforePersist); everything else in this order.
   */
  advance(): void {
    const rd = this.pending;
    invariant(rd !== undefined, () => 'advance() called without a Ready');
    this.pending = undefined;
    const log = this.raft.log;
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.metadata.index);
      log.appliedTo(rd.snapshot.metadata.index);
    }
    const last = rd.entries[rd.entries.length - 1];
    if (last) {
      log.stableTo(last.index, last.term);
      this.raft.persisted(last.index, last.term);
    }
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastApplied) log.appliedTo(lastApplied.index);
  }

  /**
   * Whether this Ready's messages may go out before its entries and hard state are on disk:
   * true for a leader whose term and vote did not change (Raft thesis §10.2.1: the leader
   * writes in parallel with replicating, and counts itself only once persisted).
   */
  canSendBeforePersist(): boolean {
    return this.earlySend;
  }

  /** This member's own state, without the configuration and progress that status() copies. */
  basicStatus(): BasicStatus {
    const r = this.raft;
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      lead: r.lead,
      role: r.role,
      leadTransferee: r.leadTransferee,
    };
  }

  status(): Status {
    const r = this.raft;
    const progress = new Map<RaftId, ProgressStatus>();
    if (r.role === 'leader') {
      for (const [id, pr] of r.tracker.progress) {
        progress.set(id, {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          isLearner: pr.isLearner,
          recentActive: pr.recentActive,
        });
      }
    }
    return { ...this.basicStatus(), confState: r.tracker.confState(), progress };
  }

  /** True when this member believes it is the leader and knows no leader transfer. */
  isLeader(): boolean {
    return (
      this.raft.role === 'leader' && this.raft.lead === this.raft.id && this.raft.leadTransferee === NONE
    );
  }
}

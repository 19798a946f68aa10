// RaftNode drives one member: it owns the ticker, the durable storage, the transport and the
// waiting callers. `await node.propose(bytes)` resolves with the state machine's result once the
// entry is committed and applied here, or rejects (not leader, dropped, timeout, stopped).
//
// The Ready loop persists (one synced LevelDB batch for everything accumulated meanwhile, which
// is how proposals and fsyncs are batched), then sends (a leader sends first, while it writes),
// then applies, then advances. A Ready that only moves the commit index writes nothing
// (unsaved-commit.ts); snapshots are written off the loop (snapshot-writer.ts).
//
// A failure of the loop (a storage write that failed, an invariant) stops the node for good and
// is reported once to onFatal listeners: the process should exit so its service manager
// restarts it from what is on disk; a node never goes on half-alive.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { NotLeaderError, ProposalDroppedError } from '../../../api/errors.js';
import { decodeConfChange } from '../conf-change.js';
import { RawNode, type Status } from '../raw-node.js';
import type { Dropped } from '../step-result.js';
import {
  ConfChangeType,
  EntryType,
  NONE,
  StateRole,
  type ConfChange,
  type ConfState,
  type Entry,
  type RaftId,
  type Snapshot,
  type SoftState,
} from '../types.js';
import { systemClock, type Cancel, type Clock } from '../../../api/clock/clock.js';
import {
  decodeMemberContext,
  decodeProposal,
  decodeSnapshotEnvelope,
  encodeMemberContext,
  encodeProposal,
  encodeSnapshotEnvelope,
} from './envelope.js';
import { NodeStoppedError, RaftTimeoutError, TooManyRequestsError } from './errors.js';
import { snapshotDue, SnapshotWriter } from './snapshot-writer.js';
import { UnsavedCommit } from './unsaved-commit.js';
import { ReadBarriers, type ReadWaiter, type Waiter } from './waiters.js';
import { rawNodeConfig, type LeadershipChange, type RaftNodeOptions } from './raft-node-options.js';

export type { LeadershipChange, RaftNodeOptions } from './raft-node-options.js';

export class RaftNode {
  readonly id: RaftId;
  private readonly o: RaftNodeOptions;
  private raw!: RawNode;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly requestTimeoutMs: number;
  private readonly members = new Map<RaftId, string>();
  private confState: ConfState = { voters: [], learners: [] };
  private snapshotIndex = 0;
  /** Bytes of the entries applied since the last snapshot (the log held in memory grows by these). */
  private appliedBytes = 0;
  private readonly unsaved: UnsavedCommit;
  private readonly snapshots: SnapshotWriter;
  private readonly proposals = new Map<number, Waiter>();
  private readonly confWaiters = new Map<string, Waiter>();
  private readonly reads = new ReadBarriers();
  private readonly bootNonce = randomBytes(3).readUIntBE(0, 3);
  private seq = 0;
  private stopped: string | undefined;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private stopTicker: Cancel = () => {};
  private readonly listeners = new Set<(c: LeadershipChange) => void>();
  private readonly appliedListeners = new Set<(index: number) => void>();
  private readonly fatalListeners = new Set<(e: Error) => void>();
  private fatal: Error | undefined;
  /** Commit index when each learner was added (it must catch up at least that far). */
  private readonly learnerSince = new Map<RaftId, number>();
  private promoting: RaftId | undefined;

  constructor(o: RaftNodeOptions) {
    this.o = o;
    this.id = o.id;
    this.log = o.logger.child({ raft: o.id });
    this.clock = o.clock ?? systemClock;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 10_000;
    this.unsaved = new UnsavedCommit(o.storage, this.log, (e) => this.fail(e));
    this.snapshots = new SnapshotWriter(o, this.unsaved, this.log, (e) => this.fail(e));
  }

  /** Loads state, bootstraps a new cluster if asked, and starts ticking and serving. */
  async start(): Promise<void> {
    if (this.o.storage.notice !== undefined) this.log.warn(this.o.storage.notice);
    const mem = this.o.storage.memory;
    const fresh = mem.lastIndex() === 0 && mem.snapshot().metadata.index === 0;
    if (fresh && this.o.bootstrap) await this.bootstrap(this.o.bootstrap);
    const snap = mem.snapshot();
    this.installSnapshotState(snap);
    if (fresh && !this.o.bootstrap && this.o.join) {
      for (const [id, addr] of this.o.join) this.members.set(id, addr);
      this.syncPeers();
    }
    this.raw = new RawNode(rawNodeConfig(this.o, snap.metadata.index, this.log));
    this.o.transport.start({
      receive: (m) => {
        if (this.stopped) return;
        let result;
        try {
          result = this.raw.step(m);
        } catch (e: unknown) {
          // Only a broken invariant is thrown: continuing would risk safety.
          this.fail(e);
          return;
        }
        if (!result.ok && result.kind === 'local-message') {
          this.log.warn({ err: result.reason, from: m.from }, 'raft message refused');
          return;
        }
        // A forwarded proposal the leader dropped needs nothing here: its proposer retries.
        this.notify();
      },
      reportUnreachable: (id) => {
        if (this.stopped) return;
        this.raw.reportUnreachable(id);
      },
      reportSnapshot: (id, ok) => {
        if (this.stopped) return;
        this.raw.reportSnapshot(id, ok);
        this.notify();
      },
    });
    this.stopTicker = this.clock.setInterval(() => this.tick(), this.o.tickMs ?? 100);
    // A sole voter need not wait out an election timeout (`swarm init` should be instant).
    const { voters } = this.raw.status().confState;
    if (voters.length === 1 && voters[0] === this.id) this.raw.campaign();
    this.loopDone = this.loop();
  }

  private async bootstrap(members: ReadonlyMap<RaftId, string>): Promise<void> {
    const voters = [...members.keys()].sort((a, b) => a - b);
    const data = encodeSnapshotEnvelope({ members, app: this.o.stateMachine.snapshot() });
    const snapshot: Snapshot = { metadata: { index: 1, term: 1, confState: { voters, learners: [] } }, data };
    await this.o.storage.save({ snapshot, entries: [], hardState: { term: 1, vote: NONE, commit: 1 } }, true);
    this.log.info({ members: voters }, 'bootstrapped a new raft cluster');
  }

  private installSnapshotState(snap: Snapshot): void {
    this.snapshots.cancel(); // one being encoded here is older
    [this.snapshotIndex, this.appliedBytes] = [snap.metadata.index, 0];
    this.confState = snap.metadata.confState;
    if (snap.metadata.index === 0) return;
    const env = decodeSnapshotEnvelope(snap.data);
    this.o.stateMachine.restore(snap.metadata.index, env.app);
    // The snapshot names the members as of its index, and may predate the leader sending it
    // (a leader that joined after the latest snapshot sends that one to a new member): the
    // addresses known here for members it does not name are kept, or this member could not
    // answer the leader until it applied the leader's own AddLearner entry, which it cannot
    // reach without answering. The log after the snapshot removes whoever was removed.
    const known = new Map(this.members);
    this.members.clear();
    for (const [id, addr] of env.members) this.members.set(id, addr);
    for (const [id, addr] of known) if (!this.members.has(id)) this.members.set(id, addr);
    this.syncPeers();
  }

  private syncPeers(): void {
    const t = this.o.transport;
    for (const id of t.peers().keys()) if (!this.members.has(id)) t.removePeer(id);
    for (const [id, addr] of this.members) if (id !== this.id) t.addPeer(id, addr);
  }

  // ---- the Ready loop ----

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private tick(): void {
    if (this.stopped) return;
    this.unsaved.tick();
    this.raw.tick();
    this.maybePromoteLearner();
    this.notify();
  }

  /**
   * On the leader: promotes a learner to voter once it has caught up (acknowledged everything
   * committed when it was added, and is within a few entries of the end). One at a time.
   */
  private maybePromoteLearner(): void {
    if (this.o.autoPromoteLearners === false || this.promoting !== undefined || !this.raw.isLeader()) return;
    for (const id of this.confState.learners) {
      if (!this.learnerCaughtUp(id)) continue;
      const address = this.members.get(id);
      if (address === undefined) continue;
      this.promoting = id;
      this.log.info({ member: id }, 'learner caught up: promoting it to voter');
      this.proposeConf({
        type: ConfChangeType.AddNode,
        nodeId: id,
        context: encodeMemberContext(address),
      }).then(
        () => (this.promoting = undefined),
        (e: unknown) => {
          this.promoting = undefined;
          this.log.warn(
            { member: id, err: e instanceof Error ? e.message : String(e) },
            'learner promotion failed; will retry',
          );
        },
      );
      return;
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.raw.hasReady()) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      try {
        await this.handleReady();
      } catch (e: unknown) {
        this.fail(e);
      }
    }
  }

  private async handleReady(): Promise<void> {
    const rd = this.raw.ready();
    // A leader replicates while it writes (its own copy counts only once persisted).
    const early = this.raw.canSendBeforePersist();
    if (early) this.o.transport.send(rd.messages);
    if (rd.snapshot || rd.entries.length > 0 || rd.mustSync) {
      // The Ready's own hard state is newer than one left unsaved, which goes with it otherwise.
      const unsaved = this.unsaved.take();
      const hardState = rd.hardState ?? unsaved;
      await this.o.storage.save(
        {
          entries: rd.entries,
          ...(hardState ? { hardState } : {}),
          ...(rd.snapshot ? { snapshot: rd.snapshot } : {}),
        },
        rd.mustSync,
      );
    } else if (rd.hardState) {
      this.unsaved.defer(rd.hardState); // only the commit index moved (unsaved-commit.ts)
    }
    if (this.stopped) return;
    if (!early) this.o.transport.send(rd.messages);
    if (rd.snapshot) {
      this.installSnapshotState(rd.snapshot);
      this.log.info({ index: rd.snapshot.metadata.index }, 'installed snapshot from leader');
    }
    for (const e of rd.committedEntries) this.applyEntry(e);
    for (const rs of rd.readStates) this.reads.onReadState(rs);
    if (rd.softState) this.onSoftState(rd.softState);
    this.raw.advance();
    const { applied } = this.raw.basicStatus();
    this.reads.resolveUpTo(applied);
    for (const l of this.appliedListeners) l(applied);
    this.maybeSnapshot(applied);
  }

  private applyEntry(e: Entry): void {
    this.appliedBytes += e.data.byteLength;
    if (e.type === EntryType.ConfChange) {
      this.applyConfChange(e);
      return;
    }
    if (e.data.byteLength === 0) {
      // A new leader's empty entry: any proposal of ours at this index was overwritten.
      this.rejectOverwritten(e);
      return;
    }
    const { id, payload } = decodeProposal(e.data);
    const result = this.o.stateMachine.apply(e.index, payload);
    const w = id.member === this.id ? this.proposals.get(id.seq) : undefined;
    if (w) {
      this.proposals.delete(id.seq);
      w.cancelTimer();
      if (result instanceof Error) w.reject(result);
      else w.resolve(result);
    } else {
      this.rejectOverwritten(e);
    }
  }

  /** A proposal of ours that was appended at e.index in an older term lost its place. */
  private rejectOverwritten(e: Entry): void {
    for (const [seq, w] of this.proposals) {
      if (w.index === e.index && w.term !== e.term) {
        this.proposals.delete(seq);
        w.cancelTimer();
        w.reject(new ProposalDroppedError('a new leader overwrote the entry before it committed; retry'));
      }
    }
  }

  private applyConfChange(e: Entry): void {
    const cc = decodeConfChange(e.data);
    this.confState = this.raw.applyConfChange(cc);
    if (cc.type === ConfChangeType.AddLearner)
      this.learnerSince.set(cc.nodeId, this.raw.basicStatus().commit);
    else this.learnerSince.delete(cc.nodeId);
    const addr = decodeMemberContext(cc.context);
    if (cc.type === ConfChangeType.RemoveNode) this.members.delete(cc.nodeId);
    else if (addr !== undefined) this.members.set(cc.nodeId, addr);
    this.syncPeers();
    this.log.info({ change: cc.type, member: cc.nodeId, conf: this.confState }, 'applied membership change');
    const key = `${cc.type}:${cc.nodeId}`;
    const w = this.confWaiters.get(key);
    if (w) {
      this.confWaiters.delete(key);
      w.cancelTimer();
      w.resolve(this.confState);
    }
    if (cc.type === ConfChangeType.RemoveNode && cc.nodeId === this.id) {
      this.log.warn('this member was removed from the raft cluster');
    }
  }

  private onSoftState(s: SoftState): void {
    const { term } = this.raw.basicStatus();
    this.log.info({ lead: s.lead, role: s.role, term }, 'raft leadership changed');
    const c: LeadershipChange = { lead: s.lead, role: s.role, term };
    for (const l of this.listeners) l(c);
    if (s.role !== StateRole.Leader) {
      // Reads waiting on this leader's ReadIndex will not be answered.
      this.reads.rejectUnconfirmed(new NotLeaderError(this.members.get(s.lead), s.lead));
    }
  }

  /** Takes a snapshot when due: captured now, encoded and written in the background (snapshot-writer.ts). */
  private maybeSnapshot(applied: number): void {
    if (this.snapshots.busy || !snapshotDue(applied - this.snapshotIndex, this.appliedBytes, this.o)) return;
    [this.snapshotIndex, this.appliedBytes] = [applied, 0];
    this.snapshots.start(applied, this.confState, this.members);
  }

  // ---- requests ----

  private checkRunning(): void {
    if (this.stopped) throw new NodeStoppedError(this.stopped);
  }

  private requireLeader(): void {
    this.checkRunning();
    if (!this.raw.isLeader()) {
      const { lead } = this.raw.basicStatus();
      throw new NotLeaderError(this.members.get(lead), lead);
    }
  }

  /** Replicates `command`; resolves with the state machine's apply result. Leader only. */
  propose(command: Uint8Array): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.requireLeader();
      const limit = this.o.maxPendingProposals ?? 100_000;
      if (this.proposals.size >= limit) throw new TooManyRequestsError(limit);
      const seq = this.bootNonce * 2 ** 29 + this.seq++;
      const data = encodeProposal({ member: this.id, seq }, command);
      const result = this.raw.propose(data);
      if (!result.ok) throw new ProposalDroppedError(result.reason);
      const { lastIndex, term } = this.raw.basicStatus();
      const w: Waiter = {
        resolve,
        reject,
        index: lastIndex,
        term,
        cancelTimer: this.clock.setTimeout(() => {
          this.proposals.delete(seq);
          reject(new RaftTimeoutError('proposal', this.requestTimeoutMs));
        }, this.requestTimeoutMs),
      };
      this.proposals.set(seq, w);
      this.notify();
    });
  }

  /** Resolves once this member has applied everything committed before the call (linearizable read barrier). */
  readBarrier(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.requireLeader();
      const seq = this.seq++;
      const r: ReadWaiter = {
        resolve,
        reject,
        cancelTimer: this.clock.setTimeout(() => {
          this.reads.remove(seq);
          reject(new RaftTimeoutError('read barrier', this.requestTimeoutMs));
        }, this.requestTimeoutMs),
      };
      const result = this.raw.readIndex(ReadBarriers.context(seq));
      if (!result.ok) {
        r.cancelTimer();
        throw new ProposalDroppedError(result.reason);
      }
      this.reads.add(seq, r);
      this.notify();
    });
  }

  /**
   * Proposes a membership change; while another change is still being applied (Raft takes one
   * at a time), waits for it and retries, up to the request timeout.
   */
  private async proposeConf(cc: ConfChange): Promise<ConfState> {
    const deadline = this.clock.now() + this.requestTimeoutMs;
    for (;;) {
      const outcome = await this.proposeConfOnce(cc);
      if (!('ok' in outcome)) return outcome;
      const busy = outcome.kind === 'conf-change-pending';
      if (!busy || this.clock.now() > deadline) throw new ProposalDroppedError(outcome.reason);
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.o.tickMs ?? 100));
    }
  }

  /** Resolves with the new configuration once applied, or at once with the drop. */
  private proposeConfOnce(cc: ConfChange): Promise<ConfState | Dropped> {
    return new Promise<unknown>((resolve, reject) => {
      this.requireLeader();
      const key = `${cc.type}:${cc.nodeId}`;
      const result = this.raw.proposeConfChange(cc);
      if (!result.ok) {
        resolve(result);
        return;
      }
      this.confWaiters.set(key, {
        resolve,
        reject,
        cancelTimer: this.clock.setTimeout(() => {
          this.confWaiters.delete(key);
          reject(new RaftTimeoutError('membership change', this.requestTimeoutMs));
        }, this.requestTimeoutMs),
      });
      this.notify();
    }) as Promise<ConfState | Dropped>;
  }

  /**
   * Adds a member: first as a non-voting learner, promoted to voter once it has caught up with
   * the leader's log, so a new member never weakens the quorum while it is still behind.
   */
  async addMember(id: RaftId, address: string, opts: { catchUpTimeoutMs?: number } = {}): Promise<ConfState> {
    await this.addLearner(id, address);
    const timeout = opts.catchUpTimeoutMs ?? 60_000;
    const deadline = this.clock.now() + timeout;
    for (;;) {
      if (this.confState.voters.includes(id)) return this.confState;
      this.requireLeader();
      // The leader's own promotion (maybePromoteLearner) does it once the learner caught up;
      // without auto-promotion, do it here when the same condition holds.
      if (this.o.autoPromoteLearners === false && this.learnerCaughtUp(id)) {
        return this.proposeConf({
          type: ConfChangeType.AddNode,
          nodeId: id,
          context: encodeMemberContext(address),
        });
      }
      if (this.clock.now() > deadline) throw new RaftTimeoutError(`catch-up of new member ${id}`, timeout);
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, this.o.tickMs ?? 100));
    }
  }

  /** A learner has caught up: it acknowledged everything committed when it was added, and is near the end. */
  private learnerCaughtUp(id: RaftId): boolean {
    const status = this.raw.status();
    const pr = status.progress.get(id);
    const joinedAt = this.learnerSince.get(id) ?? 0;
    return pr !== undefined && pr.match >= joinedAt && pr.match + 10 >= status.lastIndex;
  }

  /**
   * Adds a non-voting learner and resolves once that is committed; the leader promotes it to
   * voter on its own once it has caught up (unless autoPromoteLearners is false).
   */
  async addLearner(id: RaftId, address: string): Promise<ConfState> {
    if (this.confState.learners.includes(id) || this.confState.voters.includes(id)) return this.confState;
    return this.proposeConf({
      type: ConfChangeType.AddLearner,
      nodeId: id,
      context: encodeMemberContext(address),
    });
  }

  removeMember(id: RaftId): Promise<ConfState> {
    return this.proposeConf({ type: ConfChangeType.RemoveNode, nodeId: id, context: new Uint8Array(0) });
  }

  transferLeadership(to: RaftId): void {
    this.requireLeader();
    this.raw.transferLeadership(to);
    this.notify();
  }

  /** Starts an election now (used by tests and by a lone restarted member). */
  campaign(): void {
    this.checkRunning();
    this.raw.campaign();
    this.notify();
  }

  // ---- observation ----

  status(): Status {
    return this.raw.status();
  }

  isLeader(): boolean {
    return !this.stopped && this.raw.isLeader();
  }

  leader(): { id: RaftId; address: string | undefined } {
    const { lead } = this.raw.basicStatus();
    return { id: lead, address: lead === this.id ? this.o.address : this.members.get(lead) };
  }

  memberAddresses(): ReadonlyMap<RaftId, string> {
    return this.members;
  }

  onLeadershipChange(l: (c: LeadershipChange) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onApplied(l: (index: number) => void): () => void {
    this.appliedListeners.add(l);
    return () => this.appliedListeners.delete(l);
  }

  /**
   * Calls `l` once if the node fails (a storage write failed, e.g. the disk is full; an
   * invariant broke): the node has stopped for good and its process should exit so the service
   * manager restarts it (see fatalExitLine). Called at once (asynchronously) if it already has.
   */
  onFatal(l: (e: Error) => void): () => void {
    const failed = this.fatal;
    if (failed !== undefined) {
      queueMicrotask(() => l(failed));
      return () => {};
    }
    this.fatalListeners.add(l);
    return () => this.fatalListeners.delete(l);
  }

  /** Why the node failed, if it did (undefined while running and after a clean stop). */
  get failure(): Error | undefined {
    return this.fatal;
  }

  // ---- shutdown ----

  private fail(e: unknown): void {
    if (this.stopped) return;
    const err = e instanceof Error ? e : new Error(String(e));
    this.fatal = err;
    this.log.fatal({ err }, 'raft node failed; stopping');
    void this.shutdown(err.message);
    for (const l of this.fatalListeners) l(err);
    this.fatalListeners.clear();
  }

  private async shutdown(reason: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = reason;
    this.stopTicker();
    this.notify();
    const err = new NodeStoppedError(reason);
    for (const w of this.proposals.values()) {
      w.cancelTimer();
      w.reject(err);
    }
    this.proposals.clear();
    for (const w of this.confWaiters.values()) {
      w.cancelTimer();
      w.reject(err);
    }
    this.confWaiters.clear();
    this.reads.rejectAll(err);
    await this.loopDone.catch(() => {});
    await this.snapshots.stop();
  }

  /** Stops ticking and serving; pending requests are rejected. Closes transport and storage. */
  async stop(): Promise<void> {
    await this.shutdown('stopped');
    if (this.fatal === undefined) await this.unsaved.flush();
    await this.o.transport.close();
    await this.o.storage.close();
  }
}

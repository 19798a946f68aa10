// One simulated cluster member: a RawNode over a MemoryStorage that plays the disk (it keeps
// only what a Ready handed out to persist), plus the KV state machine it applies to.
// A crash throws away everything but that storage.

import { decodeConfChange } from '../../conf-change.js';
import { SeededRandom } from '../../random.js';
import { RawNode } from '../../raw-node.js';
import { MemoryStorage } from '../../storage.js';
import {
  EntryType,
  type ConfState,
  type Entry,
  type Message,
  type RaftId,
  type ReadState,
} from '../../types.js';
import { KvStateMachine, decodeCommand, type KvCommand } from './kv.js';
import type { KvResult } from '../support/linearizability.js';

export interface ApplyHooks {
  onApplyEntry(member: RaftId, e: Entry): void;
  onCommandApplied(member: RaftId, c: KvCommand, result: KvResult): void;
  onReadState(member: RaftId, rs: ReadState): void;
}

export interface SimMemberOptions {
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  readonly snapshotEvery: number;
}

export class SimMember {
  readonly id: RaftId;
  /** What survives a crash. */
  readonly disk: MemoryStorage;
  node!: RawNode;
  kv!: KvStateMachine;
  confState!: ConfState;
  alive = true;
  /** Applied its own removal: the application shuts such a member down. */
  removed = false;
  private lastSnapshotIndex = 0;
  private readonly opts: SimMemberOptions;
  private readonly seed: number;
  private restarts = 0;

  constructor(id: RaftId, disk: MemoryStorage, opts: SimMemberOptions, seed: number) {
    this.id = id;
    this.disk = disk;
    this.opts = opts;
    this.seed = seed;
    this.boot();
  }

  private boot(): void {
    const snap = this.disk.snapshot();
    this.kv = KvStateMachine.deserialize(snap.data);
    this.confState = snap.metadata.confState;
    this.lastSnapshotIndex = snap.metadata.index;
    this.node = new RawNode({
      id: this.id,
      electionTick: this.opts.electionTick,
      heartbeatTick: this.opts.heartbeatTick,
      storage: this.disk,
      random: new SeededRandom(this.seed * 7919 + this.id * 104729 + this.restarts),
      applied: snap.metadata.index,
      maxSizePerMsg: this.opts.maxSizePerMsg,
      maxInflightMsgs: this.opts.maxInflightMsgs,
      checkQuorum: true,
      preVote: true,
    });
  }

  crash(): void {
    this.alive = false;
  }

  restart(): void {
    this.restarts++;
    this.alive = true;
    this.boot();
  }

  /** Handles every pending Ready: persist, send, apply, advance. Returns the messages to send. */
  process(hooks: ApplyHooks, crashMidWrite: () => boolean): Message[] {
    const out: Message[] = [];
    while (this.alive && this.node.hasReady()) {
      const rd = this.node.ready();
      if (this.node.canSendBeforePersist()) {
        // A leader sends before its write completes; it may crash before the write lands.
        for (const m of rd.messages) out.push(m);
        if (crashMidWrite()) {
          this.crash();
          return out;
        }
      }
      // 1. persist
      if (rd.snapshot) this.disk.applySnapshot(rd.snapshot);
      this.disk.append(rd.entries);
      if (rd.hardState) this.disk.setHardState(rd.hardState);
      // 2. send
      if (!this.node.canSendBeforePersist()) for (const m of rd.messages) out.push(m);
      // 3. apply
      if (rd.snapshot) {
        this.kv = KvStateMachine.deserialize(rd.snapshot.data);
        this.confState = rd.snapshot.metadata.confState;
        this.lastSnapshotIndex = rd.snapshot.metadata.index;
      }
      for (const e of rd.committedEntries) this.applyEntry(e, hooks);
      for (const rs of rd.readStates) hooks.onReadState(this.id, rs);
      this.node.advance();
      this.maybeSnapshot();
    }
    return out;
  }

  private applyEntry(e: Entry, hooks: ApplyHooks): void {
    hooks.onApplyEntry(this.id, e);
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(e.data);
      this.confState = this.node.applyConfChange(cc);
      if (cc.type === 1 && cc.nodeId === this.id) this.removed = true;
      return;
    }
    if (e.data.byteLength === 0) return; // a new leader's empty entry
    const c = decodeCommand(e.data);
    hooks.onCommandApplied(this.id, c, this.kv.apply(c));
  }

  private maybeSnapshot(): void {
    const applied = this.node.raft.log.applied;
    if (applied - this.lastSnapshotIndex < this.opts.snapshotEvery) return;
    this.disk.createSnapshot(applied, this.confState, this.kv.serialize());
    // Keep a few entries so slightly lagging followers still catch up from the log.
    const keep = Math.floor(this.opts.snapshotEvery / 4);
    if (applied - keep > this.disk.firstIndex()) this.disk.compact(applied - keep);
    this.lastSnapshotIndex = applied;
  }

  appliedIndex(): number {
    return this.node.raft.log.applied;
  }
}

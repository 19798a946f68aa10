// A synchronous, deterministic test network for the Raft core, in the spirit of etcd's
// newNetwork: members are plain `Raft` state machines over MemoryStorage; `send` delivers
// messages breadth-first (FIFO) until nothing is left to deliver, by calling raft.step() on
// the recipient and collecting what it emitted. Links can be cut, members isolated, message
// types ignored and arbitrary messages dropped; every delivered message is traced.

import { decodeConfChange, encodeConfChange } from '../../conf-change.js';
import { NO_LIMIT } from '../../log.js';
import { Raft, type RaftConfig } from '../../raft.js';
import { SeededRandom } from '../../random.js';
import { MemoryStorage, type InitialState } from '../../storage.js';
import type { StepResult } from '../../step-result.js';
import {
  EMPTY_HARD_STATE,
  EntryType,
  MESSAGE_TYPE_NAMES,
  MessageType,
  message,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type RaftId,
  type Snapshot,
} from '../../types.js';

export const ELECTION_TICK = 10;
export const HEARTBEAT_TICK = 1;
export const DEFAULT_SEED = 0x5eed;

/**
 * A MemoryStorage that also knows the initial configuration. MemoryStorage reports the
 * configuration of its snapshot only, and a snapshot at index 0 cannot be installed, so a log
 * preloaded from index 1 (as in the paper's figures) needs this to name its voters.
 */
export class TestStorage extends MemoryStorage {
  private readonly bootConf: ConfState;
  constructor(bootConf: ConfState) {
    super();
    this.bootConf = bootConf;
  }
  override initialState(): InitialState {
    const base = super.initialState();
    if (this.snapshot().metadata.index > 0) return base;
    return { hardState: base.hardState, confState: this.bootConf };
  }
}

/** Entries with the given terms at indexes 1, 2, ... (optionally from another first index). */
export function entriesWithTerms(terms: readonly number[], firstIndex = 1): Entry[] {
  return terms.map((term, i) => ({
    term,
    index: firstIndex + i,
    type: EntryType.Normal,
    data: new Uint8Array(0),
  }));
}

export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

export function normalEntry(data: string): Entry {
  return { term: 0, index: 0, type: EntryType.Normal, data: bytes(data) };
}

export function confChangeEntry(cc: ConfChange): Entry {
  return { term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) };
}

/** Builds a storage preloaded with a log, hard state and (optionally) a snapshot. */
export function newStorage(opts: {
  readonly conf: ConfState;
  readonly terms?: readonly number[];
  readonly entries?: readonly Entry[];
  readonly hardState?: HardState;
  readonly snapshot?: Snapshot;
}): TestStorage {
  const s = new TestStorage(opts.conf);
  if (opts.snapshot) s.applySnapshot(opts.snapshot);
  const first = s.firstIndex();
  if (opts.terms) s.append(entriesWithTerms(opts.terms, first));
  if (opts.entries) s.append(opts.entries);
  s.setHardState(opts.hardState ?? EMPTY_HARD_STATE);
  return s;
}

export interface MemberOptions {
  /** Log terms for indexes 1..n (or from the snapshot's index + 1). */
  readonly terms?: readonly number[];
  readonly entries?: readonly Entry[];
  readonly hardState?: HardState;
  readonly snapshot?: Snapshot;
  readonly applied?: number;
  readonly checkQuorum?: boolean;
  readonly preVote?: boolean;
  readonly maxInflightMsgs?: number;
  readonly maxSizePerMsg?: number;
  /** Overrides the member's initial configuration (defaults to the network's). */
  readonly conf?: ConfState;
}

export interface RaftTestNetworkOptions {
  readonly voters: readonly RaftId[];
  readonly learners?: readonly RaftId[];
  readonly seed?: number;
  /** Defaults for every member (the core's defaults are on: CheckQuorum and PreVote). */
  readonly checkQuorum?: boolean;
  readonly preVote?: boolean;
  readonly maxInflightMsgs?: number;
  readonly members?: Readonly<Record<number, MemberOptions>>;
  /**
   * Persist a member's unstable entries (and tell the core, as RawNode.advance does) right after
   * every step. On by default: a leader counts its own copy of an entry toward the commit quorum
   * only once it is persisted. Off, the test calls persist() itself.
   */
  readonly autoPersist?: boolean;
}

export interface TraceEntry {
  readonly type: string;
  readonly from: RaftId;
  readonly to: RaftId;
  readonly term: number;
  readonly index: number;
  readonly reject: boolean;
}

/** One line per message, e.g. "1->2 App t2 i1" or "2->1 AppResp t2 i1 reject". */
export function formatTrace(t: TraceEntry): string {
  return `${t.from}->${t.to} ${t.type} t${t.term} i${t.index}${t.reject ? ' reject' : ''}`;
}

export type MessagePredicate = (m: Message) => boolean;

function pairKey(a: RaftId, b: RaftId): string {
  return `${a}>${b}`;
}

export class RaftTestNetwork {
  readonly members = new Map<RaftId, Raft>();
  readonly storages = new Map<RaftId, TestStorage>();
  /** Every delivered message, in delivery order. */
  trace: TraceEntry[] = [];
  /** Every message that a cut, isolation, ignore or drop rule swallowed. */
  dropped: Message[] = [];
  /** Forwarded proposals the recipient refused (a RawNode would swallow the error). */
  droppedProposals: Message[] = [];
  /** Entries each member applied (through apply()/settle()). */
  readonly applied = new Map<RaftId, Entry[]>();

  private readonly cuts = new Set<string>();
  private readonly ignored = new Set<MessageType>();
  private readonly drops: MessagePredicate[] = [];
  private readonly opts: RaftTestNetworkOptions;
  autoPersist: boolean;

  constructor(opts: RaftTestNetworkOptions) {
    this.opts = opts;
    this.autoPersist = opts.autoPersist ?? true;
    const conf: ConfState = { voters: [...opts.voters], learners: [...(opts.learners ?? [])] };
    for (const id of [...conf.voters, ...conf.learners]) this.addMember(id, opts.members?.[id] ?? {}, conf);
  }

  /** Creates (or replaces) a member; e.g. a node joining with an empty configuration. */
  addMember(id: RaftId, mo: MemberOptions, defaultConf?: ConfState): Raft {
    const conf = mo.conf ??
      defaultConf ?? { voters: [...this.opts.voters], learners: [...(this.opts.learners ?? [])] };
    const storage = newStorage({
      conf,
      ...(mo.terms ? { terms: mo.terms } : {}),
      ...(mo.entries ? { entries: mo.entries } : {}),
      ...(mo.hardState ? { hardState: mo.hardState } : {}),
      ...(mo.snapshot ? { snapshot: mo.snapshot } : {}),
    });
    const seed = (this.opts.seed ?? DEFAULT_SEED) * 31 + id;
    const maxInflight = mo.maxInflightMsgs ?? this.opts.maxInflightMsgs;
    const cfg: RaftConfig = {
      id,
      electionTick: ELECTION_TICK,
      heartbeatTick: HEARTBEAT_TICK,
      storage,
      random: new SeededRandom(seed),
      checkQuorum: mo.checkQuorum ?? this.opts.checkQuorum ?? true,
      preVote: mo.preVote ?? this.opts.preVote ?? true,
      ...(mo.applied !== undefined ? { applied: mo.applied } : {}),
      ...(mo.maxSizePerMsg !== undefined ? { maxSizePerMsg: mo.maxSizePerMsg } : {}),
      ...(maxInflight !== undefined ? { maxInflightMsgs: maxInflight } : {}),
    };
    const r = new Raft(cfg);
    this.members.set(id, r);
    this.storages.set(id, storage);
    this.applied.set(id, []);
    return r;
  }

  raft(id: RaftId): Raft {
    const r = this.members.get(id);
    if (!r) throw new Error(`no member ${id}`);
    return r;
  }

  storage(id: RaftId): TestStorage {
    const s = this.storages.get(id);
    if (!s) throw new Error(`no member ${id}`);
    return s;
  }

  // ---- faults ----

  /** Cuts the link between a and b in both directions. */
  cut(a: RaftId, b: RaftId): void {
    this.cuts.add(pairKey(a, b));
    this.cuts.add(pairKey(b, a));
  }

  /** Cuts every link of `id`. */
  isolate(id: RaftId): void {
    for (const other of this.members.keys()) if (other !== id) this.cut(id, other);
  }

  /** Drops every message of this type. */
  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  /** Drops every message matching the predicate. */
  drop(p: MessagePredicate): void {
    this.drops.push(p);
  }

  /** Heals every cut and clears ignore and drop rules. */
  recover(): void {
    this.cuts.clear();
    this.ignored.clear();
    this.drops.length = 0;
  }

  private filtered(m: Message): boolean {
    if (!this.members.has(m.to)) return true;
    if (this.cuts.has(pairKey(m.from, m.to))) return true;
    if (this.ignored.has(m.type)) return true;
    return this.drops.some((p) => p(m));
  }

  // ---- delivery ----

  /** Takes (and clears) what a member has emitted. */
  take(id: RaftId): Message[] {
    const r = this.raft(id);
    const out = r.msgs;
    r.msgs = [];
    return out;
  }

  /** Takes what every member has emitted, in member id order. */
  takeAll(): Message[] {
    const out: Message[] = [];
    for (const id of [...this.members.keys()].sort((a, b) => a - b)) out.push(...this.take(id));
    return out;
  }

  /** Delivers one message now (unless a rule drops it); returns what the recipient emitted. */
  deliver(m: Message): Message[] {
    if (this.filtered(m)) {
      this.dropped.push(m);
      return [];
    }
    const r = this.raft(m.to);
    this.trace.push({
      type: MESSAGE_TYPE_NAMES[m.type],
      from: m.from,
      to: m.to,
      term: m.term,
      index: m.index,
      reject: m.reject,
    });
    if (!r.step(m).ok) this.droppedProposals.push(m);
    if (this.autoPersist) this.persist(m.to);
    return this.take(m.to);
  }

  /** Delivers breadth-first until no message is left. */
  send(msgs: readonly Message[]): void {
    const queue = [...msgs];
    for (let m = queue.shift(); m !== undefined; m = queue.shift()) queue.push(...this.deliver(m));
  }

  /** Delivers everything every member has emitted, until quiescence. */
  flush(): void {
    for (let out = this.takeAll(); out.length > 0; out = this.takeAll()) this.send(out);
  }

  /**
   * Steps a local message into a member and delivers the consequences. A dropped request is
   * returned at once: it changed nothing, so nothing is persisted or delivered for it.
   */
  stepLocal(id: RaftId, m: Message): StepResult {
    const result = this.raft(id).step(m);
    if (!result.ok) return result;
    if (this.autoPersist) this.persist(id);
    this.send(this.take(id));
    return result;
  }

  /** Starts an election at `id` (MsgHup) and delivers until quiescence. */
  campaign(id: RaftId): void {
    this.stepLocal(id, message({ type: MessageType.Hup, from: id }));
  }

  /** Proposes entries at `id`; returns the drop, like Raft.step does. */
  propose(id: RaftId, ...data: string[]): StepResult {
    return this.stepLocal(id, message({ type: MessageType.Prop, from: id, entries: data.map(normalEntry) }));
  }

  proposeConfChange(id: RaftId, cc: ConfChange): StepResult {
    return this.stepLocal(id, message({ type: MessageType.Prop, from: id, entries: [confChangeEntry(cc)] }));
  }

  /** Ticks one member `n` times, delivering after each tick. */
  tick(id: RaftId, n = 1): void {
    for (let i = 0; i < n; i++) {
      this.raft(id).tick();
      if (this.autoPersist) this.persist(id);
      this.send(this.take(id));
    }
  }

  /** Ticks every member (id order) once per round, delivering after each round. */
  tickAll(rounds = 1, ids?: readonly RaftId[]): void {
    for (let i = 0; i < rounds; i++) {
      for (const id of ids ?? [...this.members.keys()].sort((a, b) => a - b)) {
        this.raft(id).tick();
        if (this.autoPersist) this.persist(id);
      }
      this.flush();
    }
  }

  /** Ticks all (or the given) members until `done` holds; throws after `max` rounds. */
  tickUntil(done: () => boolean, max = 200, ids?: readonly RaftId[]): number {
    for (let i = 0; i < max; i++) {
      if (done()) return i;
      this.tickAll(1, ids);
    }
    if (done()) return max;
    throw new Error(`condition not reached after ${max} tick rounds`);
  }

  // ---- persistence and apply (what an application does with a Ready) ----

  /**
   * Persists a member's unstable snapshot, entries and hard state, then marks them stable and
   * tells the core (RawNode.advance's part; a leader may commit and emit appends here).
   */
  persist(id: RaftId): void {
    const r = this.raft(id);
    const s = this.storage(id);
    const snap = r.log.unstable.snapshot;
    if (snap) {
      s.applySnapshot(snap);
      r.log.stableSnapTo(snap.metadata.index);
      r.log.appliedTo(snap.metadata.index);
    }
    const ents = r.log.unstableEntries();
    const last = ents[ents.length - 1];
    if (last) {
      s.append(ents);
      r.log.stableTo(last.index, last.term);
      r.persisted(last.index, last.term);
    }
    s.setHardState(r.hardState());
  }

  /**
   * Applies a member's committed entries (applying conf changes to its configuration like an
   * application would), then delivers what that emitted. Returns the entries applied.
   */
  apply(id: RaftId): Entry[] {
    const r = this.raft(id);
    const ents = r.log.nextCommittedEntries(NO_LIMIT);
    for (const e of ents) {
      if (e.type === EntryType.ConfChange) r.applyConfChange(decodeConfChange(e.data));
      r.log.appliedTo(e.index);
      this.applied.get(id)!.push(e);
    }
    return ents;
  }

  /** Persists and applies everywhere, delivering, until nothing changes. */
  settle(max = 100): void {
    for (let i = 0; i < max; i++) {
      let work = 0;
      for (const id of [...this.members.keys()].sort((a, b) => a - b)) {
        this.persist(id);
        work += this.apply(id).length;
      }
      const out = this.takeAll();
      work += out.length;
      this.send(out);
      if (work === 0) return;
    }
    throw new Error(`network did not settle after ${max} rounds`);
  }

  /** Takes a snapshot at the member's applied index and compacts its storage up to there. */
  compact(id: RaftId, data: Uint8Array = new Uint8Array(0)): Snapshot {
    const r = this.raft(id);
    this.persist(id);
    const s = this.storage(id);
    const snap = s.createSnapshot(r.log.applied, r.tracker.confState(), data);
    s.compact(r.log.applied);
    return snap;
  }

  // ---- observations ----

  /** The member's whole log as "index:term" strings. */
  logOf(id: RaftId): string[] {
    return this.raft(id)
      .log.allEntries()
      .map((e) => `${e.index}:${e.term}`);
  }

  leaders(): RaftId[] {
    return [...this.members.values()].filter((r) => r.role === 'leader').map((r) => r.id);
  }

  /** The trace formatted one line per message; clears it when `reset`. */
  traceLines(reset = true): string[] {
    const lines = this.trace.map(formatTrace);
    if (reset) this.trace = [];
    return lines;
  }
}

// The deterministic Raft simulator: a cluster of cores on a faulty simulated network, driven by
// a seeded schedule of ticks, deliveries, client operations, crashes, restarts, partitions,
// membership changes and leadership transfers. Safety is checked after every step; the client
// history is returned for the linearizability check. A seed reproduces a run exactly.

import { SeededRandom } from '../../random.js';
import { MemoryStorage } from '../../storage.js';
import {
  ConfChangeType,
  MessageType,
  StateRole,
  type Entry,
  type RaftId,
  type ReadState,
} from '../../types.js';
import type { HistoryOp, KvOp, KvResult } from '../support/linearizability.js';
import { encodeCommand, type KvCommand } from './kv.js';
import { SimNetwork } from './network.js';
import { SafetyChecker, SafetyViolation, type MemberView } from './safety.js';
import { SimMember, type SimMemberOptions } from './sim-member.js';

export interface SimOptions {
  readonly seed: number;
  readonly members: number;
  readonly steps: number;
  readonly clients: number;
  readonly keys: number;
  /** Enables membership changes (add learner, promote, remove). */
  readonly membership: boolean;
  /** Steps a client waits before its operation's outcome becomes unknown. */
  readonly clientTimeout: number;
}

export interface SimResult {
  readonly history: HistoryOp[];
  readonly stats: {
    leaders: number;
    crashes: number;
    partitions: number;
    confChanges: number;
    transfers: number;
    ok: number;
    unknown: number;
    failed: number;
    snapshotsInstalled: number;
  };
}

interface Outstanding {
  readonly client: number;
  readonly seq: number;
  readonly op: KvOp;
  readonly member: RaftId;
  readonly invoke: number;
  /** For reads served by ReadIndex: the read context and, once known, the index to wait for. */
  readonly readCtx?: string;
  readIndex?: number;
}

function memberOptions(seed: number): SimMemberOptions {
  // Small messages and windows on some seeds force multi-message catch-up and flow control.
  const small = seed % 3 !== 0;
  return {
    electionTick: 10,
    heartbeatTick: 1,
    maxSizePerMsg: small ? 160 : 4096,
    maxInflightMsgs: small ? 2 : 8,
    snapshotEvery: 40,
  };
}

export class Simulation {
  private readonly r: SeededRandom;
  private readonly net: SimNetwork;
  private readonly members = new Map<RaftId, SimMember>();
  private readonly safety = new SafetyChecker();
  private readonly history: HistoryOp[] = [];
  private readonly outstanding = new Map<number, Outstanding>();
  private readonly clientSeq = new Map<number, number>();
  private now = 0;
  private nextId: RaftId;
  private readCtxSeq = 0;
  private readonly leaderTerms = new Set<number>();
  private readonly stats: SimResult['stats'] = {
    leaders: 0,
    crashes: 0,
    partitions: 0,
    confChanges: 0,
    transfers: 0,
    ok: 0,
    unknown: 0,
    failed: 0,
    snapshotsInstalled: 0,
  };
  private readonly o: SimOptions;
  private readonly chaosEnd: number;

  constructor(o: SimOptions) {
    this.o = o;
    this.chaosEnd = Math.floor(o.steps * 0.8);
    this.r = new SeededRandom(o.seed);
    this.net = new SimNetwork(this.r, { drop: 0.02, duplicate: 0.02, maxDelay: 3 });
    const ids = Array.from({ length: o.members }, (_, i) => i + 1);
    this.nextId = o.members + 1;
    for (const id of ids) {
      // Bootstrap: every initial member starts from a snapshot at index 1 naming all voters.
      const disk = new MemoryStorage();
      disk.applySnapshot({
        metadata: { index: 1, term: 1, confState: { voters: ids, learners: [] } },
        data: new Uint8Array(0),
      });
      this.members.set(id, new SimMember(id, disk, memberOptions(o.seed), o.seed));
    }
  }

  run(): SimResult {
    const chaosEnd = this.chaosEnd;
    for (; this.now < this.o.steps; this.now++) {
      if (this.now < chaosEnd) this.chaos();
      else if (this.now === chaosEnd) this.calm();
      // Clients stop for the last steps so every voter must converge on the same applied index.
      if (this.now < this.o.steps - 60) this.clientsAct();
      this.tickAll();
      this.deliver();
      this.checkSafety();
      this.expireClients();
    }
    this.requireLiveness();
    for (const o of this.outstanding.values()) this.finish(o, 'unknown', undefined);
    return { history: this.history, stats: this.stats };
  }

  // ---- faults ----

  private live(): SimMember[] {
    return [...this.members.values()].filter((m) => m.alive && !m.removed);
  }

  private voters(): RaftId[] {
    const leader = this.leader();
    const cs = (leader ?? this.live()[0])?.confState;
    return cs ? [...cs.voters] : [];
  }

  private leader(): SimMember | undefined {
    let best: SimMember | undefined;
    for (const m of this.live()) {
      if (m.node.raft.role === StateRole.Leader && (!best || m.node.raft.term > best.node.raft.term))
        best = m;
    }
    return best;
  }

  private chaos(): void {
    const x = this.r.next();
    const live = this.live();
    if (x < 0.008) {
      // crash a live member (keep a quorum alive most of the time, but not always)
      const m = this.r.next() < 0.5 ? (this.leader() ?? live[0]) : live[this.r.intn(live.length)];
      if (m && live.length > 1) {
        m.crash();
        this.net.dropFor(m.id);
        this.stats.crashes++;
        for (const o of this.outstanding.values())
          if (o.member === m.id) this.finish(o, 'unknown', undefined);
      }
    } else if (x < 0.018) {
      const dead = [...this.members.values()].filter((m) => !m.alive && !m.removed);
      const m = dead[this.r.intn(dead.length)];
      if (m) m.restart();
    } else if (x < 0.026) {
      // partition: isolate the leader (the most productive fault for divergent logs), or split
      // the members at random; symmetric or one-directional
      const ids = [...this.members.keys()];
      const l = this.leader();
      const a = l && this.r.next() < 0.5 ? [l.id] : ids.filter(() => this.r.next() < 0.5);
      const b = ids.filter((id) => !a.includes(id));
      this.net.isolate(a, b, this.r.next() < 0.6);
      this.stats.partitions++;
    } else if (x < 0.04) {
      this.net.heal();
    } else if (x < 0.044) {
      this.transferLeadership();
    } else if (x < 0.05 && this.o.membership) {
      this.changeMembership();
    }
  }

  private calm(): void {
    // Stop faults so the cluster must converge: heal, restart everyone, no loss.
    this.net.heal();
    this.net.faults = { drop: 0, duplicate: 0, maxDelay: 1 };
    for (const m of this.members.values()) if (!m.alive && !m.removed) m.restart();
  }

  private transferLeadership(): void {
    const l = this.leader();
    if (!l) return;
    const voters = l.confState.voters.filter((v) => v !== l.id);
    const to = voters[this.r.intn(voters.length)];
    if (to === undefined) return;
    l.node.transferLeadership(to);
    this.stats.transfers++;
  }

  private changeMembership(): void {
    const l = this.leader();
    if (!l) return;
    const cs = l.confState;
    const x = this.r.next();
    // A dropped change (another is still being applied) is simply not counted.
    const propose = (type: ConfChangeType, nodeId: number): void => {
      if (l.node.proposeConfChange({ type, nodeId, context: new Uint8Array(0) }).ok) this.stats.confChanges++;
    };
    if (cs.learners.length > 0 && x < 0.4) {
      // promote a learner that has caught up (within a few entries of the leader)
      const id = cs.learners[this.r.intn(cs.learners.length)]!;
      const pr = l.node.status().progress.get(id);
      if (pr && pr.match + 5 >= l.node.raft.log.lastIndex()) {
        propose(ConfChangeType.AddNode, id);
      }
    } else if (x < 0.7 && cs.voters.length + cs.learners.length < 7) {
      const id = this.nextId++;
      this.members.set(id, new SimMember(id, new MemoryStorage(), memberOptions(this.o.seed), this.o.seed));
      propose(ConfChangeType.AddLearner, id);
    } else if (cs.voters.length > 3) {
      const id = cs.voters[this.r.intn(cs.voters.length)]!;
      propose(ConfChangeType.RemoveNode, id);
    }
  }

  // ---- clients ----

  private clientsAct(): void {
    for (let c = 0; c < this.o.clients; c++) {
      if (this.outstanding.has(c) || this.r.next() > 0.15) continue;
      const live = this.live();
      const m = live[this.r.intn(live.length)];
      if (!m) continue;
      const seq = (this.clientSeq.get(c) ?? 0) + 1;
      this.clientSeq.set(c, seq);
      const key = `k${this.r.intn(this.o.keys)}`;
      const x = this.r.next();
      const value = `v${c}.${seq}`;
      const op: KvOp =
        x < 0.4
          ? { kind: 'get', key }
          : x < 0.8
            ? { kind: 'put', key, value }
            : {
                kind: 'cas',
                key,
                expect:
                  this.r.next() < 0.5 ? undefined : `v${this.r.intn(this.o.clients)}.${this.r.intn(seq + 1)}`,
                value,
              };
      const useReadIndex = op.kind === 'get' && this.r.next() < 0.5;
      let result;
      if (useReadIndex) {
        const ctx = `r${++this.readCtxSeq}`;
        result = m.node.readIndex(new TextEncoder().encode(ctx));
        if (result.ok)
          this.outstanding.set(c, { client: c, seq, op, member: m.id, invoke: this.now, readCtx: ctx });
      } else {
        const cmd: KvCommand = { client: c, seq, op };
        result = m.node.propose(encodeCommand(cmd));
        if (result.ok) this.outstanding.set(c, { client: c, seq, op, member: m.id, invoke: this.now });
      }
      if (!result.ok) {
        // Definitely not appended anywhere: the operation failed.
        this.history.push({
          client: c,
          op,
          invoke: this.now,
          complete: this.now,
          result: undefined,
          outcome: 'fail',
        });
        this.stats.failed++;
      }
    }
  }

  private finish(o: Outstanding, outcome: 'ok' | 'unknown', result: KvResult | undefined): void {
    this.outstanding.delete(o.client);
    this.history.push({
      client: o.client,
      op: o.op,
      invoke: o.invoke,
      complete: outcome === 'ok' ? this.now : undefined,
      result,
      outcome,
    });
    if (outcome === 'ok') this.stats.ok++;
    else this.stats.unknown++;
  }

  private expireClients(): void {
    for (const o of [...this.outstanding.values()]) {
      if (this.now - o.invoke > this.o.clientTimeout) this.finish(o, 'unknown', undefined);
      else if (o.readIndex !== undefined) this.tryCompleteRead(o);
    }
  }

  private tryCompleteRead(o: Outstanding): void {
    const m = this.members.get(o.member);
    if (!m || !m.alive || o.readIndex === undefined || m.appliedIndex() < o.readIndex || o.op.kind !== 'get')
      return;
    this.finish(o, 'ok', { kind: 'get', value: m.kv.read(o.op.key) });
  }

  private readonly hooks = {
    onApplyEntry: (member: RaftId, e: Entry): void => this.safety.onApply(member, e),
    onCommandApplied: (member: RaftId, c: KvCommand, result: KvResult): void => {
      const o = this.outstanding.get(c.client);
      if (o && o.seq === c.seq && o.member === member && o.readCtx === undefined)
        this.finish(o, 'ok', result);
    },
    onReadState: (member: RaftId, rs: ReadState): void => {
      const ctx = new TextDecoder().decode(rs.requestCtx);
      for (const o of this.outstanding.values()) {
        if (o.member === member && o.readCtx === ctx) {
          o.readIndex = rs.index;
          this.tryCompleteRead(o);
        }
      }
    },
  };

  // ---- driving ----

  private tickAll(): void {
    for (const m of this.live()) {
      m.node.tick();
      this.flush(m);
    }
  }

  private flush(m: SimMember): void {
    const hadSnapshot = m.node.raft.log.hasPendingSnapshot();
    const msgs = m.process(this.hooks, () => {
      const crash = this.now < this.chaosEnd && this.r.next() < 0.002;
      if (crash) {
        this.stats.crashes++;
        this.net.dropFor(m.id);
        for (const o of this.outstanding.values())
          if (o.member === m.id) this.finish(o, 'unknown', undefined);
      }
      return crash;
    });
    if (hadSnapshot) this.stats.snapshotsInstalled++;
    this.net.send(msgs, this.now);
  }

  private deliver(): void {
    for (const msg of this.net.due(this.now)) {
      const to = this.members.get(msg.to);
      const reachable = to !== undefined && to.alive && !to.removed;
      if (reachable) {
        to.node.step(msg);
        this.flush(to);
      }
      // The transport tells the sender whether a snapshot got through.
      if (msg.type === MessageType.Snap) this.reportSnapshot(msg.from, msg.to, reachable);
    }
    for (const lost of this.net.lostSnapshots.splice(0)) this.reportSnapshot(lost.from, lost.to, false);
  }

  private reportSnapshot(from: RaftId, to: RaftId, ok: boolean): void {
    const m = this.members.get(from);
    if (!m || !m.alive || m.removed) return;
    m.node.reportSnapshot(to, ok);
    this.flush(m);
  }

  private checkSafety(): void {
    const views: MemberView[] = [];
    let minFirst = Number.MAX_SAFE_INTEGER;
    for (const m of this.members.values()) {
      if (!m.alive) continue;
      const log = m.node.raft.log;
      const first = log.firstIndex();
      minFirst = Math.min(minFirst, first);
      views.push({
        id: m.id,
        term: m.node.raft.term,
        isLeader: m.node.raft.role === StateRole.Leader,
        committed: log.committed,
        firstIndex: first,
        entries: log.allEntries(),
      });
    }
    this.safety.check(views);
    for (const v of views) if (v.isLeader) this.leaderTerms.add(v.term);
    this.stats.leaders = this.leaderTerms.size;
    if (this.now % 50 === 0) this.safety.forgetBelow(minFirst);
  }

  /** After the calm period a leader exists and every live voter has applied the same index. */
  private requireLiveness(): void {
    const l = this.leader();
    if (!l)
      throw new SafetyViolation(
        `liveness: no leader ${this.o.steps - Math.floor(this.o.steps * 0.8)} steps after faults stopped`,
      );
    const voters = this.voters();
    const applied = voters.map((id) => this.members.get(id)?.appliedIndex() ?? -1);
    const want = l.node.raft.log.committed;
    if (applied.some((a) => a !== want)) {
      throw new SafetyViolation(
        `liveness: voters applied ${applied.join(',')} but the leader committed ${want}`,
      );
    }
  }
}

// Raft's safety properties (Raft paper, figure 3), checked by the simulator after every step.

import type { Entry, RaftId } from '../../types.js';

export class SafetyViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetyViolation';
  }
}

/** A view of one live member, taken after a step. */
export interface MemberView {
  readonly id: RaftId;
  readonly term: number;
  readonly isLeader: boolean;
  readonly committed: number;
  readonly firstIndex: number;
  /** Entries from firstIndex to lastIndex. */
  readonly entries: readonly Entry[];
}

function sameData(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class SafetyChecker {
  private leaders = new Map<number, RaftId>();
  /** What a leader's log looked like last step (leader append-only). */
  private leaderLogs = new Map<RaftId, { term: number; entries: readonly Entry[] }>();
  /**
   * Every entry ever known committed, by index, with the lowest term of a member seen holding it
   * as committed: the leader that committed it had at most that term.
   */
  private committed = new Map<number, { entry: Entry; commitTerm: number }>();
  /** Every entry ever applied, by index (state-machine safety). */
  private applied = new Map<number, { entry: Entry; by: RaftId }>();
  /** Per member: the highest committed index already recorded (entries below are immutable). */
  private recorded = new Map<RaftId, number>();

  /** Records an entry applied by a member; two different entries at one index is a violation. */
  onApply(id: RaftId, e: Entry): void {
    const prev = this.applied.get(e.index);
    if (!prev) {
      this.applied.set(e.index, { entry: e, by: id });
      return;
    }
    if (prev.entry.term !== e.term || !sameData(prev.entry.data, e.data)) {
      throw new SafetyViolation(
        `state machine safety: member ${id} applied index ${e.index} term ${e.term}, member ${prev.by} applied term ${prev.entry.term}`,
      );
    }
  }

  check(members: readonly MemberView[]): void {
    for (const m of members) {
      // Election safety: at most one leader per term.
      if (m.isLeader) {
        const l = this.leaders.get(m.term);
        if (l !== undefined && l !== m.id) {
          throw new SafetyViolation(
            `election safety: members ${l} and ${m.id} both leaders in term ${m.term}`,
          );
        }
        this.leaders.set(m.term, m.id);
        // Leader append-only: the leader never overwrites or deletes entries in its term.
        const prev = this.leaderLogs.get(m.id);
        if (prev && prev.term === m.term) {
          for (const e of prev.entries) {
            if (e.index < m.firstIndex) continue;
            const now = m.entries[e.index - m.firstIndex];
            if (!now || now.term !== e.term || !sameData(now.data, e.data)) {
              throw new SafetyViolation(
                `leader append-only: leader ${m.id} (term ${m.term}) lost or changed entry ${e.index}`,
              );
            }
          }
        }
        this.leaderLogs.set(m.id, { term: m.term, entries: m.entries });
        // Leader completeness: a leader of a later term than the commit holds every committed entry.
        for (const [index, { entry: e, commitTerm }] of this.committed) {
          if (index < m.firstIndex || m.term <= commitTerm) continue;
          const have = m.entries[index - m.firstIndex];
          if (have === e) continue;
          if (!have || have.term !== e.term || !sameData(have.data, e.data)) {
            throw new SafetyViolation(
              `leader completeness: leader ${m.id} (term ${m.term}) lacks committed entry ${index} (term ${e.term})`,
            );
          }
        }
      } else {
        this.leaderLogs.delete(m.id);
      }
      // Record newly committed entries (and check they agree with what was committed before).
      const from = Math.max(m.firstIndex, Math.min(this.recorded.get(m.id) ?? 0, m.committed) + 1);
      this.recorded.set(m.id, m.committed);
      for (let i = from - m.firstIndex; i < m.entries.length; i++) {
        const e = m.entries[i]!;
        if (e.index > m.committed) break;
        const c = this.committed.get(e.index);
        if (!c) this.committed.set(e.index, { entry: e, commitTerm: m.term });
        else if (c.entry.term !== e.term || !sameData(c.entry.data, e.data)) {
          throw new SafetyViolation(
            `committed entry ${e.index} differs on member ${m.id}: term ${e.term} vs ${c.entry.term}`,
          );
        } else if (m.term < c.commitTerm) c.commitTerm = m.term;
      }
    }
    this.checkLogMatching(members);
  }

  /** Log matching: same index and term implies identical logs up to that index. */
  private checkLogMatching(members: readonly MemberView[]): void {
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const a = members[i]!;
        const b = members[j]!;
        const lo = Math.max(a.firstIndex, b.firstIndex);
        const hi = Math.min(a.firstIndex + a.entries.length, b.firstIndex + b.entries.length) - 1;
        // Find the highest index where both have the same term; everything below must match.
        let k = hi;
        for (; k >= lo; k--) {
          if (a.entries[k - a.firstIndex]!.term === b.entries[k - b.firstIndex]!.term) break;
        }
        for (let x = k; x >= lo; x--) {
          const ea = a.entries[x - a.firstIndex]!;
          const eb = b.entries[x - b.firstIndex]!;
          if (ea === eb) continue;
          if (ea.term !== eb.term || !sameData(ea.data, eb.data)) {
            throw new SafetyViolation(
              `log matching: members ${a.id} and ${b.id} agree at index ${k} but differ at ${x} (terms ${ea.term}/${eb.term})`,
            );
          }
        }
      }
    }
  }

  /** Entries committed so far are retained for leader completeness; forget those all members compacted. */
  forgetBelow(index: number): void {
    for (const k of this.committed.keys()) if (k < index) this.committed.delete(k);
  }
}

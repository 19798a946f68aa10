// The callers a RaftNode keeps waiting: proposals and membership changes until their entry is
// applied, and linearizable read barriers. A barrier is a ReadIndex request whose context is its
// sequence number; it resolves once this member has applied up to the index the leader
// confirmed with a quorum.

import type { Cancel } from '../../../api/clock/clock.js';
import type { ReadState } from '../types.js';

/** A proposal or membership change waiting for its entry to be applied. */
export interface Waiter {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  cancelTimer: Cancel;
  /** For proposals made as leader: where the entry was appended (to detect it being overwritten). */
  index?: number;
  term?: number;
}

export interface ReadWaiter {
  resolve(): void;
  reject(e: unknown): void;
  cancelTimer: Cancel;
  /** The confirmed read index, once the leader has it. */
  index?: number;
}

export class ReadBarriers {
  private readonly waiting = new Map<number, ReadWaiter>();

  /** The ReadIndex request context that names barrier `seq`. */
  static context(seq: number): Uint8Array {
    const ctx = new Uint8Array(8);
    new DataView(ctx.buffer).setFloat64(0, seq);
    return ctx;
  }

  add(seq: number, w: ReadWaiter): void {
    this.waiting.set(seq, w);
  }

  remove(seq: number): void {
    this.waiting.delete(seq);
  }

  /** The leader confirmed a barrier's read index. */
  onReadState(rs: ReadState): void {
    if (rs.requestCtx.byteLength !== 8) return;
    const seq = new DataView(rs.requestCtx.buffer, rs.requestCtx.byteOffset, 8).getFloat64(0);
    const r = this.waiting.get(seq);
    if (r) r.index = rs.index;
  }

  /** Resolves every barrier whose read index is applied. */
  resolveUpTo(applied: number): void {
    for (const [k, r] of this.waiting) {
      if (r.index !== undefined && r.index <= applied) {
        this.waiting.delete(k);
        r.cancelTimer();
        r.resolve();
      }
    }
  }

  /** Rejects the barriers still waiting for their read index (this member stopped leading). */
  rejectUnconfirmed(e: Error): void {
    for (const [k, r] of this.waiting) {
      if (r.index === undefined) {
        this.waiting.delete(k);
        r.cancelTimer();
        r.reject(e);
      }
    }
  }

  rejectAll(e: Error): void {
    for (const r of this.waiting.values()) {
      r.cancelTimer();
      r.reject(e);
    }
    this.waiting.clear();
  }
}

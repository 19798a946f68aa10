// ReadIndex (Raft thesis §6.4): a leader serves a linearizable read at its commit index once a
// heartbeat round confirms it is still the leader. Requests are keyed by their context bytes.

import type { Message, RaftId } from './types.js';

interface ReadIndexStatus {
  readonly req: Message;
  readonly index: number;
  readonly acks: Set<RaftId>;
}

function key(ctx: Uint8Array): string {
  let s = '';
  for (const b of ctx) s += b.toString(16).padStart(2, '0');
  return s;
}

export class ReadOnly {
  private pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /** Registers a read request at the leader's current commit index. */
  addRequest(index: number, req: Message): void {
    const k = key(req.context);
    if (this.pending.has(k)) return;
    this.pending.set(k, { req, index, acks: new Set() });
    this.queue.push(k);
  }

  /** Records a heartbeat ack that echoed `ctx`; returns the set of members that acked it. */
  recvAck(from: RaftId, ctx: Uint8Array): ReadonlySet<RaftId> | undefined {
    const rs = this.pending.get(key(ctx));
    if (!rs) return undefined;
    rs.acks.add(from);
    return rs.acks;
  }

  /**
   * Once the request with `ctx` is confirmed, it and every request queued before it are
   * confirmed too (they were issued at earlier or equal commit indexes).
   */
  advance(ctx: Uint8Array): { req: Message; index: number }[] {
    const k = key(ctx);
    const at = this.queue.indexOf(k);
    if (at < 0) return [];
    const done = this.queue.splice(0, at + 1);
    const out: { req: Message; index: number }[] = [];
    for (const d of done) {
      const rs = this.pending.get(d);
      if (rs) out.push({ req: rs.req, index: rs.index });
      this.pending.delete(d);
    }
    return out;
  }

  /** The context of the newest pending request (piggybacked on heartbeats). */
  lastPendingContext(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1];
    return k === undefined ? undefined : this.pending.get(k)?.req.context;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}

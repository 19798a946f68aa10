// A simulated network for the Raft simulator: messages wait in flight for a random delay and
// may be dropped, duplicated or reordered; partitions block chosen directions. All randomness
// comes from the seeded generator, so a seed replays exactly.

import type { SeededRandom } from '../../random.js';
import { MessageType, type Message, type RaftId } from '../../types.js';

export interface NetworkFaults {
  /** Probability a message is lost. */
  drop: number;
  /** Probability a message is delivered twice. */
  duplicate: number;
  /** Max extra delay in steps (reordering comes from different delays). */
  maxDelay: number;
}

interface InFlight {
  readonly msg: Message;
  readonly at: number;
  readonly seq: number;
}

export class SimNetwork {
  private inflight: InFlight[] = [];
  private blocked = new Set<string>();
  private seq = 0;
  faults: NetworkFaults;
  private readonly rand: SeededRandom;
  delivered = 0;
  dropped = 0;
  /** Snapshot messages that were lost: the transport reports those as failed to the sender. */
  lostSnapshots: Message[] = [];

  constructor(rand: SeededRandom, faults: NetworkFaults) {
    this.rand = rand;
    this.faults = faults;
  }

  private static key(from: RaftId, to: RaftId): string {
    return `${from}>${to}`;
  }

  send(msgs: readonly Message[], now: number): void {
    for (const m of msgs) {
      if (this.rand.next() < this.faults.drop) {
        this.lose(m);
        continue;
      }
      const copies = this.rand.next() < this.faults.duplicate ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        this.inflight.push({
          msg: m,
          at: now + 1 + this.rand.intn(this.faults.maxDelay + 1),
          seq: this.seq++,
        });
      }
    }
  }

  /** Blocks traffic from `a` to `b` (one direction: an asymmetric partition). */
  block(a: RaftId, b: RaftId): void {
    this.blocked.add(SimNetwork.key(a, b));
  }

  isolate(groupA: readonly RaftId[], groupB: readonly RaftId[], symmetric: boolean): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.block(a, b);
        if (symmetric) this.block(b, a);
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }

  /** Removes and returns the messages due at `now` (blocked ones are lost). */
  due(now: number): Message[] {
    const keep: InFlight[] = [];
    const out: InFlight[] = [];
    for (const f of this.inflight) (f.at <= now ? out : keep).push(f);
    this.inflight = keep;
    out.sort((x, y) => x.at - y.at || x.seq - y.seq);
    const res: Message[] = [];
    for (const f of out) {
      if (this.blocked.has(SimNetwork.key(f.msg.from, f.msg.to))) {
        this.lose(f.msg);
        continue;
      }
      this.delivered++;
      res.push(f.msg);
    }
    return res;
  }

  private lose(m: Message): void {
    this.dropped++;
    if (m.type === MessageType.Snap) this.lostSnapshots.push(m);
  }

  /** Drops everything in flight to a crashed node. */
  dropFor(id: RaftId): void {
    const keep: InFlight[] = [];
    for (const f of this.inflight) {
      if (f.msg.to === id) this.lose(f.msg);
      else keep.push(f);
    }
    this.inflight = keep;
  }

  get pending(): number {
    return this.inflight.length;
  }
}

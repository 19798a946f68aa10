// Flow control: the leader's bounded window of in-flight append messages to one follower.
// Each slot records the last index carried by a message; acks free slots up to an index.

export class Inflights {
  private readonly size: number;
  private buffer: number[] = [];
  private start = 0;
  private count = 0;

  constructor(size: number) {
    this.size = size;
  }

  clone(): Inflights {
    const c = new Inflights(this.size);
    c.buffer = [...this.buffer];
    c.start = this.start;
    c.count = this.count;
    return c;
  }

  get length(): number {
    return this.count;
  }

  full(): boolean {
    return this.count === this.size;
  }

  add(lastIndex: number): void {
    if (this.full()) throw new Error('cannot add into a full inflights window');
    let next = this.start + this.count;
    if (next >= this.size) next -= this.size;
    if (next >= this.buffer.length) this.buffer.push(lastIndex);
    else this.buffer[next] = lastIndex;
    this.count++;
  }

  /** Frees every in-flight message whose last index is <= `to`. */
  freeLE(to: number): void {
    if (this.count === 0 || to < this.buffer[this.start]!) return;
    let idx = this.start;
    let i = 0;
    for (; i < this.count; i++) {
      if (to < this.buffer[idx]!) break;
      idx++;
      if (idx >= this.size) idx -= this.size;
    }
    this.count -= i;
    this.start = idx;
    if (this.count === 0) this.start = 0;
  }

  /** Frees the oldest in-flight message (a heartbeat answered: the follower is alive). */
  freeFirstOne(): void {
    if (this.count > 0) this.freeLE(this.buffer[this.start]!);
  }

  reset(): void {
    this.count = 0;
    this.start = 0;
  }
}

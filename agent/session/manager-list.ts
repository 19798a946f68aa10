// The managers an agent knows and the order it tries them in. It starts from the addresses it
// was given (the join address), takes the list each session message carries, prefers a
// leader a refusing manager named, and otherwise goes round the list.

export class ManagerList {
  #addrs: string[];
  #next = 0;
  #preferred: string | undefined;

  constructor(initial: readonly string[]) {
    this.#addrs = dedupe(initial);
    if (this.#addrs.length === 0) throw new RangeError('an agent needs at least one manager address');
  }

  get addresses(): readonly string[] {
    return this.#addrs;
  }

  /** The address to try next. */
  pick(): string {
    const preferred = this.#preferred;
    this.#preferred = undefined;
    if (preferred !== undefined) return preferred;
    const addr = this.#addrs[this.#next % this.#addrs.length] ?? this.#addrs[0];
    this.#next = (this.#next + 1) % this.#addrs.length;
    if (addr === undefined) throw new RangeError('manager list is empty');
    return addr;
  }

  /** A manager said the leader is at `addr`: try it first next time. */
  preferLeader(addr: string): void {
    this.#preferred = addr;
    if (!this.#addrs.includes(addr)) this.#addrs.push(addr);
  }

  /** Replaces the list with what the leader announced (ignored if empty). `current` stays first in line after a failure. */
  update(addrs: readonly string[], current: string): void {
    const next = dedupe(addrs);
    if (next.length === 0) return;
    this.#addrs = next;
    const at = next.indexOf(current);
    this.#next = at < 0 ? 0 : (at + 1) % next.length;
  }
}

function dedupe(addrs: readonly string[]): string[] {
  return [...new Set(addrs.filter((a) => a.length > 0))];
}

// Store test fixtures: a proposer that replicates commands to several stores in order, and the
// object builders of api/objects/test/fixtures.ts (re-exported so store tests import one place).

import type { StateMachine } from '../../state-machine.js';
import type { Proposer } from '../proposer.js';
import { MemoryStore, type MemoryStoreOptions } from '../store.js';
import { steppingClock } from '../../../api/objects/test/fixtures.js';

export * from '../../../api/objects/test/fixtures.js';

interface Queued {
  readonly command: Uint8Array;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Stands in for Raft: commits each command to every replica in the same order and resolves
 * with the first replica's apply result. In manual mode commands wait for `flush()`, so tests
 * can let several writers build transactions on the same state before any is applied.
 */
export class ReplicatingProposer implements Proposer {
  readonly replicas: StateMachine[] = [];
  readonly log: { index: number; command: Uint8Array }[] = [];
  readonly #manual: boolean;
  #queue: Queued[] = [];
  #index = 0;

  constructor(manual = false) {
    this.#manual = manual;
  }

  propose(command: Uint8Array): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ command, resolve, reject });
      if (!this.#manual) this.flush();
    });
  }

  /** Commits every queued command, in order. */
  flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const q of queue) {
      const index = ++this.#index;
      this.log.push({ index, command: q.command });
      try {
        const results = this.replicas.map((r) => r.apply(index, q.command));
        q.resolve(results[0]);
      } catch (e: unknown) {
        q.reject(e);
      }
    }
  }

  get pending(): number {
    return this.#queue.length;
  }
}

/** A leader store plus `followers` stores, all fed by one ReplicatingProposer. */
export function replicated(
  followers = 0,
  manual = false,
  options: MemoryStoreOptions = {},
): { proposer: ReplicatingProposer; leader: MemoryStore; followers: MemoryStore[] } {
  const proposer = new ReplicatingProposer(manual);
  const leader = new MemoryStore(proposer, { clock: steppingClock(), ...options });
  const others = Array.from({ length: followers }, () => new MemoryStore(proposer, options));
  proposer.replicas.push(leader, ...others);
  return { proposer, leader, followers: others };
}

/** Encodes a hand-written command (for tests that craft what a faulty writer could send). */
export function command(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

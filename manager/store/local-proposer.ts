// The single-member proposer: what consensus degenerates to with one manager and no peers.
// Each command is "committed" the moment it is proposed and applied at once, in order, with
// the next index. No durability, no replication: for unit tests, benchmarks of the store alone
// and tools that need a store without a cluster. Real managers use the Raft driver.

import { ProposalDroppedError } from '../../api/errors.js';
import type { StateMachine } from '../state-machine.js';
import { ProposalAbortedError } from './errors.js';
import type { Proposer } from './proposer.js';
import { MemoryStore, type MemoryStoreOptions } from './store.js';

export class LocalProposer implements Proposer {
  #target: StateMachine | undefined;
  #lastIndex: number;

  /** `startIndex` is the index before the first command (the next command gets startIndex + 1). */
  constructor(target?: StateMachine, startIndex = 0) {
    this.#target = target;
    this.#lastIndex = startIndex;
  }

  /** Connects the state machine commands are applied to (the store takes the proposer first). */
  attach(target: StateMachine): void {
    this.#target = target;
  }

  /** Index of the last command applied through this proposer. */
  get lastIndex(): number {
    return this.#lastIndex;
  }

  propose(command: Uint8Array, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted === true) return Promise.reject(new ProposalAbortedError());
    const target = this.#target;
    if (target === undefined) return Promise.reject(new ProposalDroppedError('no state machine attached'));
    // Continue after a restored snapshot if the store is ahead of this proposer.
    const index = Math.max(this.#lastIndex, target.appliedIndex) + 1;
    this.#lastIndex = index;
    try {
      return Promise.resolve(target.apply(index, command));
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

/** A MemoryStore wired to its own LocalProposer. */
export function createLocalStore(options?: MemoryStoreOptions): MemoryStore {
  const proposer = new LocalProposer();
  const store = new MemoryStore(proposer, options);
  proposer.attach(store);
  return store;
}

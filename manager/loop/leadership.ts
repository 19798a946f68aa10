// Runs the leader-only control loops while, and only while, this manager leads: each loop's
// run(signal) starts when leadership is gained and its signal aborts when it is lost. A loop
// that fails is logged and restarted after a back-off (as long as we still lead).
//
// The loops start only once the new leader has applied everything committed before it led
// (a read barrier: Raft lets it answer one only after an entry of its own term is committed).
// A manager restarted from a snapshot applies the rest of its log only then; loops started
// earlier would act on an old cluster, e.g. an allocator handing out an address a running task
// already holds.

import type { Logger } from 'pino';
import { abortableSleep } from '../../api/clock/abortable-sleep.js';
import { systemClock } from '../../api/clock/clock.js';
import type { RaftNode } from '../raft/driver/raft-node.js';
import type { ControlLoop } from './control-loop.js';

/** What the loops need of Raft. */
export type LeadershipSource = Pick<RaftNode, 'isLeader' | 'onLeadershipChange' | 'readBarrier'>;

/** Back-off between attempts at the read barrier, and between restarts of a failed loop. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class LeaderLoops {
  private readonly raft: LeadershipSource;
  private readonly loops: readonly ControlLoop[];
  private readonly logger: Logger;
  private current: Term | undefined;
  private running: Promise<void>[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(raft: LeadershipSource, loops: readonly ControlLoop[], logger: Logger) {
    this.raft = raft;
    this.loops = loops;
    this.logger = logger;
  }

  start(): void {
    this.unsubscribe = this.raft.onLeadershipChange(() => this.sync());
    this.sync();
  }

  private sync(): void {
    const leading = this.raft.isLeader();
    if (leading && !this.current) {
      const term = new Term();
      this.current = term;
      this.running = [this.lead(term)];
    } else if (!leading && this.current) {
      this.logger.info('no longer leading: stopping control loops');
      this.current.end();
      this.current = undefined;
    }
  }

  private async lead(term: Term): Promise<void> {
    const signal = term.signal;
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      try {
        await this.raft.readBarrier();
        break;
      } catch (e: unknown) {
        if (signal.aborted) return;
        this.logger.warn({ err: e }, 'leading: not caught up with the log yet; retrying');
      }
      await abortableSleep(systemClock, backoff, signal);
      if (signal.aborted) return;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    if (signal.aborted) return;
    this.logger.info({ loops: this.loops.map((l) => l.name) }, 'leading: starting control loops');
    await Promise.all(this.loops.map((l) => this.supervise(l, term)));
  }

  private async supervise(loop: ControlLoop, term: Term): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (!term.signal.aborted) {
      const run = term.startRun();
      try {
        try {
          await loop.run(run.signal);
          if (!term.signal.aborted)
            this.logger.warn({ loop: loop.name }, 'control loop returned while leading; restarting');
        } catch (e: unknown) {
          if (term.signal.aborted) return;
          this.logger.error({ loop: loop.name, err: e }, 'control loop failed; restarting');
        }
        await abortableSleep(systemClock, backoff, run.signal);
      } finally {
        term.endRun(run);
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.current?.end();
    this.current = undefined;
    await Promise.allSettled(this.running);
  }
}

/**
 * One term of leadership. Each run of a loop gets its own signal, and the term aborts them all
 * when it ends: no listener per loop on one shared signal (a dozen loops, each with watchers
 * and timers, would pass Node's MaxListeners), and a loop that fails and restarts leaves no
 * listener behind.
 */
class Term {
  readonly #term = new AbortController();
  readonly #runs = new Set<AbortController>();

  get signal(): AbortSignal {
    return this.#term.signal;
  }

  startRun(): AbortController {
    const run = new AbortController();
    if (this.#term.signal.aborted) run.abort();
    else this.#runs.add(run);
    return run;
  }

  endRun(run: AbortController): void {
    this.#runs.delete(run);
    run.abort();
  }

  end(): void {
    this.#term.abort();
    for (const run of this.#runs) run.abort();
    this.#runs.clear();
  }
}

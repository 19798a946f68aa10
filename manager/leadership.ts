// Runs the leader-only control loops while, and only while, this manager leads: each loop's
// run(signal) starts when leadership is gained and its signal aborts when it is lost. A loop
// that fails is logged and restarted after a back-off (as long as we still lead).
//
// The loops start only once the new leader has applied everything committed before it led
// (a read barrier: Raft lets it answer one only after an entry of its own term is committed).
// A manager restarted from a snapshot applies the rest of its log only then; loops started
// earlier would act on an old cluster, e.g. an allocator handing out an address a running task
// already holds.

import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { abortableSleep } from './abortable-sleep.js';
import { systemClock } from './raft/node/clock.js';
import type { RaftNode } from './raft/node/raft-node.js';

export interface LeaderLoop {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** What the loops need of Raft. */
export type LeadershipSource = Pick<RaftNode, 'isLeader' | 'onLeadershipChange' | 'readBarrier'>;

/** Back-off between attempts at the read barrier, and between restarts of a failed loop. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class LeaderLoops {
  private readonly raft: LeadershipSource;
  private readonly loops: readonly LeaderLoop[];
  private readonly logger: Logger;
  private current: AbortController | undefined;
  private running: Promise<void>[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(raft: LeadershipSource, loops: readonly LeaderLoop[], logger: Logger) {
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
      const ac = new AbortController();
      // One listener per loop (each runs on a signal of its own, below), plus a few for the
      // barrier and back-off sleeps: a bound that still flags a real listener leak.
      setMaxListeners(this.loops.length + 8, ac.signal);
      this.current = ac;
      this.running = [this.lead(ac.signal)];
    } else if (!leading && this.current) {
      this.logger.info('no longer leading: stopping control loops');
      this.current.abort();
      this.current = undefined;
    }
  }

  private async lead(signal: AbortSignal): Promise<void> {
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
    await Promise.all(this.loops.map((l) => this.supervise(l, signal)));
  }

  private async supervise(loop: LeaderLoop, signal: AbortSignal): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (!signal.aborted) {
      // Each run gets its own signal, so the listeners a loop adds (its watchers, timers) stay
      // on it and go with it, and the leadership signal holds one listener per loop.
      const run = new AbortController();
      const stop = (): void => run.abort();
      signal.addEventListener('abort', stop, { once: true });
      try {
        await loop.run(run.signal);
        if (!signal.aborted)
          this.logger.warn({ loop: loop.name }, 'control loop returned while leading; restarting');
      } catch (e: unknown) {
        if (signal.aborted) return;
        this.logger.error({ loop: loop.name, err: e }, 'control loop failed; restarting');
      } finally {
        signal.removeEventListener('abort', stop);
        run.abort();
      }
      await abortableSleep(systemClock, backoff, signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.current?.abort();
    this.current = undefined;
    await Promise.allSettled(this.running);
  }
}

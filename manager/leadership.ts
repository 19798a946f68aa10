// Runs the leader-only control loops while, and only while, this manager leads: each loop's
// run(signal) starts when leadership is gained and its signal aborts when it is lost. A loop
// that fails is logged and restarted after a back-off (as long as we still lead).

import type { Logger } from 'pino';
import type { RaftNode } from './raft/node/raft-node.js';

export interface LeaderLoop {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

export class LeaderLoops {
  private readonly raft: RaftNode;
  private readonly loops: readonly LeaderLoop[];
  private readonly logger: Logger;
  private current: AbortController | undefined;
  private running: Promise<void>[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(raft: RaftNode, loops: readonly LeaderLoop[], logger: Logger) {
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
      this.current = ac;
      this.logger.info({ loops: this.loops.map((l) => l.name) }, 'leading: starting control loops');
      this.running = this.loops.map((l) => this.supervise(l, ac.signal));
    } else if (!leading && this.current) {
      this.logger.info('no longer leading: stopping control loops');
      this.current.abort();
      this.current = undefined;
    }
  }

  private async supervise(loop: LeaderLoop, signal: AbortSignal): Promise<void> {
    let backoff = 100;
    while (!signal.aborted) {
      try {
        await loop.run(signal);
        if (!signal.aborted)
          this.logger.warn({ loop: loop.name }, 'control loop returned while leading; restarting');
      } catch (e: unknown) {
        if (signal.aborted) return;
        this.logger.error({ loop: loop.name, err: e }, 'control loop failed; restarting');
      }
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.current?.abort();
    this.current = undefined;
    await Promise.allSettled(this.running);
  }
}

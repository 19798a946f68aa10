// Leader-only: finishes a root CA rotation once every node holds a certificate of the next root
// (ca/rotation-convergence.ts says which nodes count, and why Down nodes do). Nodes notice the
// rotation by asking the CA for the swarm's roots and renew on their own; this loop only watches
// their reports (Description.TLSInfo) and then makes the next root the root, with new join tokens.

import type { Logger } from 'pino';
import { abortableSleep } from '../api/clock/abortable-sleep.js';
import type { Clock } from '../api/clock/clock.js';
import { finishedRootCA, rotationProgress } from './ca/rotation-convergence.js';
import type { MemoryStore } from './store/index.js';

export class RootRotationLoop {
  readonly name = 'root-rotation';
  private readonly store: MemoryStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly periodMs: number;
  private lastLogged = '';

  constructor(o: { store: MemoryStore; clock: Clock; logger: Logger; periodMs?: number }) {
    this.store = o.store;
    this.clock = o.clock;
    this.logger = o.logger;
    this.periodMs = o.periodMs ?? 1_000;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.reconcile();
      } catch (e: unknown) {
        if (signal.aborted) return;
        this.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'root rotation check failed');
      }
      await abortableSleep(this.clock, this.periodMs, signal);
    }
  }

  /** One pass: finishes the pending rotation if every node is on the next root. */
  async reconcile(): Promise<void> {
    const seen = this.store.view((tx) => {
      const cluster = tx.list('clusters')[0];
      return cluster === undefined ? undefined : { cluster, nodes: tx.list('nodes') };
    });
    if (seen === undefined) return;
    const progress = rotationProgress(seen.cluster, seen.nodes);
    if (progress === undefined) return;
    const line = `${progress.converged}/${progress.total}`;
    if (line !== this.lastLogged) {
      this.lastLogged = line;
      this.logger.info(
        {
          converged: progress.converged,
          total: progress.total,
          waitingFor: progress.waitingFor.slice(0, 10),
        },
        'root CA rotation in progress',
      );
    }
    const next = finishedRootCA(seen.cluster, seen.nodes);
    if (next === undefined) return;
    const pending = seen.cluster.rootCA.rootRotation?.caCert;
    const done = await this.store.update((tx) => {
      const c = tx.get('clusters', seen.cluster.id);
      // Another rotation was asked for meanwhile: that one has its own nodes to wait for.
      if (c === undefined || c.rootCA.rootRotation?.caCert !== pending) return false;
      tx.update('clusters', { ...c, rootCA: next });
      return true;
    });
    if (done)
      this.logger.info({ digest: next.caCertDigest }, 'root CA rotation finished; join tokens changed');
  }
}

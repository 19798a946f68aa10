// Writing a snapshot and compacting the log behind it, off the Ready loop: the node captures the
// state at an applied index and hands it over; the loop goes on persisting and sending while the
// storage writes it (the storage runs its changes in call order, so they interleave with the
// loop's writes). The log is compacted only once the snapshot is durable, in steps, so that the
// loop's writes never wait behind one long deletion.

import type { Logger } from 'pino';
import { CompactedError, SnapshotOutOfDateError } from '../errors.js';
import type { ConfState, HardState } from '../types.js';
import type { LevelStorage } from './level-storage.js';

/** Entries deleted per compaction write. */
const COMPACT_STEP = 1_000;

/** Default of `snapshotBytes`: the log since a snapshot is held in memory, so it is bounded. */
export const SNAPSHOT_BYTES = 64 * 2 ** 20;

/**
 * Whether a snapshot is due after `entries` entries of `bytes` bytes applied since the last one:
 * every `snapshotEvery` entries, or sooner when they are large.
 */
export function snapshotDue(
  entries: number,
  bytes: number,
  o: { readonly snapshotEvery?: number; readonly snapshotBytes?: number },
): boolean {
  return entries >= (o.snapshotEvery ?? 10_000) || bytes >= (o.snapshotBytes ?? SNAPSHOT_BYTES);
}

export interface SnapshotJob {
  readonly index: number;
  readonly confState: ConfState;
  readonly data: Uint8Array;
  /** A hard state not written yet: the commit index on disk must cover the snapshot. */
  readonly hardState: HardState | undefined;
}

export class SnapshotWriter {
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly storage: LevelStorage,
    private readonly keepAfterSnapshot: number,
    private readonly log: Logger,
    private readonly onFailure: (e: unknown) => void,
  ) {}

  /** Whether a snapshot is being written (one at a time). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  start(job: SnapshotJob): void {
    this.running = this.write(job)
      .catch((e: unknown) => this.onFailure(e))
      .finally(() => (this.running = undefined));
  }

  /** Stops compacting further and waits for the write under way, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async write(job: SnapshotJob): Promise<void> {
    const { storage } = this;
    try {
      await storage.createSnapshot(job.index, job.confState, job.data, job.hardState);
      const compactTo = job.index - this.keepAfterSnapshot;
      for (let from = storage.memory.firstIndex(); from <= compactTo && !this.stopped;) {
        const to = Math.min(compactTo, from + COMPACT_STEP - 1);
        await storage.compact(to);
        from = to + 1;
      }
    } catch (e: unknown) {
      // A newer snapshot from the leader was installed meanwhile (the loop does not wait for
      // this one): it supersedes this snapshot, and the log was replaced with it.
      if (!(e instanceof SnapshotOutOfDateError || e instanceof CompactedError)) throw e;
      this.log.debug({ index: job.index, err: e.message }, 'snapshot superseded by one from the leader');
      return;
    }
    this.log.debug({ index: job.index }, 'snapshot taken and log compacted');
  }
}

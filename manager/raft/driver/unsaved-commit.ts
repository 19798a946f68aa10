// The commit index a member has not written yet. A Ready whose only change is the commit index
// needs no write of its own: Raft does not need the commit index durable (a restarted member
// learns it again from its leader; etcd does not sync it either), and waiting for that write
// before applying would put a disk round trip on every commit's answer to its proposer. It goes
// with the member's next write, or is written on its own two ticks later when none came (so a
// member that falls idle still leaves it on disk), and on a clean stop.

import type { Logger } from 'pino';
import type { HardState } from '../types.js';
import type { LevelStorage } from './level-storage.js';

/** Ticks after which a commit index no other write carried is written on its own. */
const FLUSH_AFTER_TICKS = 2;

export class UnsavedCommit {
  private pending: HardState | undefined;
  private since = 0;
  private ticks = 0;

  constructor(
    private readonly storage: LevelStorage,
    private readonly log: Logger,
    private readonly onFailure: (e: unknown) => void,
  ) {}

  /** Keeps `hs` (which differs from the last written one only in its commit index) for later. */
  defer(hs: HardState): void {
    this.pending = hs;
    this.since = this.ticks;
  }

  /**
   * The hard state to write with the caller's write, if any, forgotten here at once: it must
   * be taken before the caller's write is queued, so a later flush never queues an older state.
   */
  take(): HardState | undefined {
    const hs = this.pending;
    this.pending = undefined;
    return hs;
  }

  /** Counts a tick; writes the pending state if it has waited long enough. */
  tick(): void {
    this.ticks++;
    if (this.pending === undefined || this.ticks - this.since < FLUSH_AFTER_TICKS) return;
    const hardState = this.take()!;
    this.storage.save({ entries: [], hardState }, false).catch((e: unknown) => this.onFailure(e));
  }

  /** On a clean stop: writes the pending state, so a restart need not learn it again. */
  async flush(): Promise<void> {
    const hardState = this.take();
    if (hardState === undefined) return;
    try {
      await this.storage.save({ entries: [], hardState }, false);
    } catch (e: unknown) {
      // Only a hint is lost: the leader tells this member the commit index again.
      this.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not save the commit index');
    }
  }
}

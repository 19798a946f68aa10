// Taking a snapshot and compacting the log behind it, off the Ready loop: the node captures the
// state at an applied index and hands it over; the loop goes on persisting and sending while the
// state machine encodes it in slices (with captureSnapshot: the store's 100,000 tasks take
// most of a second to encode, longer than a leader may go without sending heartbeats) and the
// storage writes it (the storage runs its changes in call order, so they interleave with the
// loop's writes). The log is compacted only once the snapshot is durable, in steps, so that the
// loop's writes never wait behind one long deletion.

import type { Logger } from 'pino';
import { CompactedError, SnapshotOutOfDateError } from '../errors.js';
import type { StateMachine } from '../../state-machine.js';
import type { ConfState, RaftId } from '../types.js';
import { encodeSnapshotEnvelope } from './envelope.js';
import type { LevelStorage } from './level-storage.js';
import type { RaftNodeOptions } from './raft-node-options.js';
import type { UnsavedCommit } from './unsaved-commit.js';

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

/** A snapshot being taken: the state machine's part is encoded off the Ready loop. */
interface SnapshotJob {
  readonly index: number;
  readonly confState: ConfState;
  readonly members: ReadonlyMap<RaftId, string>;
  readonly encode: (signal: AbortSignal) => Promise<Uint8Array>;
}

/** Why an encode under way was dropped. */
class SnapshotDropped extends Error {}

export class SnapshotWriter {
  private running: Promise<void> | undefined;
  /** Aborts the encode under way; undefined once it is handed to the storage. */
  private encoding: AbortController | undefined;
  private stopped = false;

  private readonly storage: LevelStorage;
  private readonly machine: StateMachine;
  private readonly keepAfterSnapshot: number;

  /** `unsaved`: the hard state not written yet (the commit index on disk must cover the snapshot). */
  constructor(
    o: Pick<RaftNodeOptions, 'storage' | 'stateMachine' | 'keepAfterSnapshot'>,
    private readonly unsaved: Pick<UnsavedCommit, 'take'>,
    private readonly log: Logger,
    private readonly onFailure: (e: unknown) => void,
  ) {
    this.storage = o.storage;
    this.machine = o.stateMachine;
    this.keepAfterSnapshot = o.keepAfterSnapshot ?? 1_000;
  }

  /** Whether a snapshot is being encoded or written (one at a time). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Captures the state machine now (the Ready loop has applied `index`; the members and conf
   * state are as of it), then encodes and writes it in the background. A state machine without
   * captureSnapshot is serialized here, synchronously.
   */
  start(index: number, confState: ConfState, members: ReadonlyMap<RaftId, string>): void {
    const { machine } = this;
    let encode: (signal: AbortSignal) => Promise<Uint8Array>;
    if (machine.captureSnapshot !== undefined) {
      encode = machine.captureSnapshot();
    } else {
      const app = machine.snapshot();
      encode = () => Promise.resolve(app);
    }
    const job = { index, confState, members: new Map(members), encode };
    const encoding = new AbortController();
    this.encoding = encoding;
    this.running = this.write(job, encoding.signal)
      .catch((e: unknown) => {
        if (!encoding.signal.aborted) return this.onFailure(e);
        const why = encoding.signal.reason instanceof Error ? encoding.signal.reason.message : '';
        this.log.debug({ index, why }, 'snapshot dropped before it was written');
      })
      .finally(() => {
        this.running = undefined;
        this.encoding = undefined;
      });
  }

  /**
   * Drops the snapshot being encoded, if any: a snapshot from the leader was installed, which
   * supersedes it. One already handed to the storage is refused there as out of date.
   */
  cancel(): void {
    this.encoding?.abort(new SnapshotDropped('a snapshot from the leader was installed'));
  }

  /** Drops an encode under way, stops compacting further and waits for the write under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.encoding?.abort(new SnapshotDropped('the node stopped'));
    await this.running;
  }

  private async write(job: SnapshotJob, signal: AbortSignal): Promise<void> {
    const app = await job.encode(signal);
    signal.throwIfAborted();
    this.encoding = undefined;
    const data = encodeSnapshotEnvelope({ members: job.members, app });
    const { storage } = this;
    try {
      // Taken as the write is queued (the storage runs its changes in call order): a hard state
      // taken at the capture could be older than one the loop has written since.
      await storage.createSnapshot(job.index, job.confState, data, this.unsaved.take());
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

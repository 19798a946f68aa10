// Every manager, leader or not, keeps its own keys protected the way the cluster object says:
// wrapped with the managers' unlock key while autolock is on (and with the newest key after a
// rotation), stored as they are once autolock is turned off. This watch follows the cluster
// object and hands each change of the desired key ('' for none) to `protect`, one at a time,
// in order; a failure is logged and retried, so a manager never stays on a key it was told to
// drop (an old key must stop working).

import type { Logger } from 'pino';
import { abortableSleep } from '../api/clock/abortable-sleep.js';
import type { Clock } from '../api/clock/clock.js';
import { managerUnlockKey } from '../api/unlock-key.js';
import type { MemoryStore, ReadTx } from './store/index.js';

const RETRY_MS = 5_000;

/** The managers' unlock key the cluster object asks for ('' when autolock is off). */
export function desiredUnlockKey(tx: ReadTx): string {
  const c = tx.list('clusters')[0];
  if (c === undefined || !c.spec.encryptionConfig.autoLockManagers) return '';
  return managerUnlockKey(c);
}

export class UnlockKeyWatch {
  readonly #store: MemoryStore;
  readonly #protect: (key: string) => Promise<void>;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  #current: string;
  #done: Promise<void> | undefined;

  /** `current`: the key the manager's keys are protected with now ('' for none). */
  constructor(o: {
    readonly store: MemoryStore;
    readonly current: string;
    readonly protect: (key: string) => Promise<void>;
    readonly logger: Logger;
    readonly clock: Clock;
  }) {
    const { store, current, protect, logger } = o;
    this.#clock = o.clock;
    this.#store = store;
    this.#current = current;
    this.#protect = protect;
    this.#log = logger.child({ component: 'unlock-key' });
  }

  start(): void {
    this.#done ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const [wanted, watcher] = this.#store.viewAndWatch(desiredUnlockKey, { tables: ['clusters'], signal });
      let ok = await this.#apply(wanted);
      try {
        for await (const _event of watcher) {
          if (!ok) break;
          ok = await this.#apply(this.#store.view(desiredUnlockKey));
        }
      } catch {
        // Overflowed: read the cluster object again.
      } finally {
        watcher.close();
      }
      if (!ok && !signal.aborted) await abortableSleep(this.#clock, RETRY_MS, signal);
    }
  }

  /** Protects the keys with `key` if that is new; false if it failed (retried later). */
  async #apply(key: string): Promise<boolean> {
    if (key === this.#current) return true;
    try {
      await this.#protect(key);
      this.#current = key;
      this.#log.info(
        key === ''
          ? "autolock is off: this manager's keys are stored without the unlock key"
          : "this manager's keys are protected with the swarm's unlock key",
      );
      return true;
    } catch (e: unknown) {
      this.#log.error(
        { err: e instanceof Error ? e.message : String(e), retryInMs: RETRY_MS },
        "could not protect this manager's keys with the swarm's unlock key",
      );
      return false;
    }
  }
}

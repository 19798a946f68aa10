// The base of every leader loop that works from store events (the orchestrators, the restart and
// update supervisors, the reaper, the scheduler, the allocator). It holds what they all repeat:
// a logger named after the loop, a wake-up other code and timers use to ask for another pass, a
// retry timer for refused writes, and `run`, which drives `runWatchLoop` over the loop's tables
// and cancels the retry once the loop stops. A loop supplies only what it notes from the state
// and from each change (`init`, `onEvent`) and the work of a pass (`flush`).

import { pino, type Logger } from 'pino';
import type { Clock } from '../../api/clock/clock.js';
import type { ChangeEvent } from '../store/events.js';
import type { ReadTx } from '../store/read-tx.js';
import type { MemoryStore } from '../store/store.js';
import type { TableName } from '../../api/objects/index.js';
import type { ControlLoop } from './control-loop.js';
import { RetryTimer } from './retry-timer.js';
import { Wakeup } from './wakeup.js';
import { runWatchLoop } from './watch-loop.js';

export interface WatchLoopBaseOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Milliseconds before a refused write is tried again (RetryTimer's default if absent). */
  readonly retryDelay?: number;
}

export abstract class WatchLoopBase implements ControlLoop {
  readonly name: string;
  protected readonly log: Logger;
  /** Notify to make the loop take another pass (a timer fired, another loop asked). */
  protected readonly wakeup = new Wakeup();
  /** Schedule after a refused write: the loop takes another pass shortly. */
  protected readonly retry: RetryTimer;
  readonly #store: MemoryStore;
  readonly #tables: readonly TableName[];

  /** `tables`: the store tables whose changes the loop notes. */
  protected constructor(name: string, tables: readonly TableName[], o: WatchLoopBaseOptions) {
    this.name = name;
    this.#store = o.store;
    this.#tables = tables;
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ loop: name });
    this.retry = new RetryTimer(o.clock, this.wakeup, o.retryDelay);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.starting();
    try {
      await runWatchLoop(
        {
          store: this.#store,
          signal,
          watch: { tables: this.#tables },
          wakeup: this.wakeup,
          logger: this.log,
        },
        { init: (tx) => this.init(tx), onEvent: (e) => this.onEvent(e), flush: () => this.flush() },
      );
    } finally {
      this.retry.cancel();
      await this.stopped();
    }
  }

  /** Called with the state at (re)subscription: note everything that needs a look. */
  protected abstract init(tx: ReadTx): void;
  /** One applied change: note what it makes dirty (cheap; no store writes here). */
  protected abstract onEvent(event: ChangeEvent): void;
  /** One pass: reconcile what is dirty and write the outcome. */
  protected abstract flush(): Promise<void>;

  /** Called as `run` begins (before the first read). */
  protected starting(): void {
    // Most loops need nothing here.
  }

  /** Called once `run` ends, however it ends: release what outlives a pass (timers, workers). */
  protected stopped(): Promise<void> {
    return Promise.resolve();
  }
}

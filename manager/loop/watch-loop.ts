// The skeleton every store-watching loop runs on (through WatchLoopBase, watch-loop-base.ts):
// read the state and subscribe in one step (`viewAndWatch`), let the body note what became dirty
// from each change event, and after each batch of events (or a wake-up from a timer) let it do
// its work. A watcher that overflows is replaced by a fresh read, as the store's contract asks.

import type { Logger } from 'pino';
import { WatchOverflowError } from '../store/errors.js';
import type { ChangeEvent } from '../store/events.js';
import type { ReadTx } from '../store/read-tx.js';
import type { MemoryStore } from '../store/store.js';
import type { WatchOptions } from '../store/watch.js';
import type { Wakeup } from './wakeup.js';

export interface LoopBody {
  /** Called with the state at (re)subscription: note everything that needs a look as dirty. */
  init(tx: ReadTx): void;
  /** One applied change: note what it makes dirty (cheap; no store writes here). */
  onEvent(event: ChangeEvent): void;
  /** Does the pending work: reconcile what is dirty and write the outcome. */
  flush(): Promise<void>;
}

export interface WatchLoopOptions {
  readonly store: MemoryStore;
  readonly signal: AbortSignal;
  readonly watch: WatchOptions;
  readonly wakeup: Wakeup;
  readonly logger: Logger;
}

type Step = { kind: 'event'; result: IteratorResult<unknown> } | { kind: 'wake' } | { kind: 'abort' };

/** Hands one event to the body; an event it fails on is logged with its object and skipped. */
function noteEvent(logger: Logger, body: LoopBody, event: ChangeEvent): void {
  try {
    body.onEvent(event);
  } catch (e: unknown) {
    const id = (event.object as { id?: unknown } | undefined)?.id;
    logger.error(
      { table: event.table, action: event.action, id, err: e },
      'noting a change failed; skipped this event, going on with the others',
    );
  }
}

export async function runWatchLoop(o: WatchLoopOptions, body: LoopBody): Promise<void> {
  const { signal } = o;
  if (signal.aborted) return;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<Step>((resolve) => {
    onAbort = () => resolve({ kind: 'abort' });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await watchUntilAborted(o, body, aborted);
  } finally {
    // A loop that fails and is restarted must not leave a listener per run on the signal.
    signal.removeEventListener('abort', onAbort);
  }
}

async function watchUntilAborted(o: WatchLoopOptions, body: LoopBody, aborted: Promise<Step>): Promise<void> {
  const { store, signal } = o;
  while (!signal.aborted) {
    const [, watcher] = store.viewAndWatch((tx) => body.init(tx), { ...o.watch, signal, commits: false });
    try {
      await body.flush();
      let next = watcher.next();
      let wake = o.wakeup.wait();
      for (;;) {
        const step = await Promise.race<Step>([
          next.then((result) => ({ kind: 'event', result })),
          wake.then(() => ({ kind: 'wake' })),
          aborted,
        ]);
        if (step.kind === 'abort') return;
        if (step.kind === 'wake') {
          wake = o.wakeup.wait();
        } else {
          if (step.result.done === true) {
            if (signal.aborted) return;
            break;
          }
          noteEvent(o.logger, body, step.result.value as ChangeEvent);
          for (const event of watcher.drain()) noteEvent(o.logger, body, event as ChangeEvent);
          next = watcher.next();
        }
        await body.flush();
      }
    } catch (e: unknown) {
      if (!(e instanceof WatchOverflowError)) throw e;
      o.logger.warn({ err: e }, 'watcher overflowed; reading the state again');
    } finally {
      watcher.close();
    }
  }
}

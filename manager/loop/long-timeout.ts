// Timers for delays taken from specs. Restart delays, update delays and monitor periods are
// int64 nanoseconds in Docker's API: far past what a Node timer holds (setTimeout fires at once
// for anything over 2^31-1 ms, about 24.8 days, and for NaN). A long delay is waited out in
// steps of at most MAX_TIMER_MS; a negative or NaN delay is no delay; Infinity never fires.

// (The system clock itself also waits out long delays; this keeps an injected clock honest too.)

import { MAX_TIMER_MS, type Cancel, type Clock } from '../../api/clock/clock.js';

export { MAX_TIMER_MS };

/** A delay in ms made safe to compute with: NaN and negatives are 0. */
export function saneDelay(ms: number): number {
  return Number.isNaN(ms) || ms < 0 ? 0 : ms;
}

/** Calls `fn` once `ms` have passed on `clock`, however long `ms` is. */
export function setLongTimeout(clock: Clock, fn: () => void, ms: number): Cancel {
  const due = clock.now() + saneDelay(ms);
  let cancel: Cancel | undefined;
  let cancelled = false;
  const arm = (): void => {
    const left = due - clock.now();
    if (left <= 0) {
      fn();
      return;
    }
    cancel = clock.setTimeout(
      () => {
        if (!cancelled) arm();
      },
      Math.min(left, MAX_TIMER_MS),
    );
  };
  if (saneDelay(ms) === 0) {
    cancel = clock.setTimeout(fn, 0);
  } else {
    arm();
  }
  return () => {
    cancelled = true;
    cancel?.();
  };
}

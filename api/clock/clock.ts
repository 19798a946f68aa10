// Time as RaftNode sees it: injectable, so tests can drive ticks without sleeping.

export interface Cancel {
  (): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Cancel;
  setInterval(fn: () => void, ms: number): Cancel;
}

/** Node's timers hold at most 2^31-1 ms; a longer delay fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * setTimeout for any delay: one longer than a Node timer holds (a delay from a spec, a
 * certificate's lifetime, a far `until`) is waited out in steps of at most MAX_TIMER_MS, so it
 * fires when asked, never early; NaN or a negative delay fires at once, Infinity never.
 */
export function longTimeout(fn: () => void, ms: number): Cancel {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (left: number): void => {
    if (left === Infinity) return;
    const step = Math.min(Math.max(0, Number.isNaN(left) ? 0 : left), MAX_TIMER_MS);
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), step);
  };
  arm(ms);
  return () => clearTimeout(timer);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: longTimeout,
  setInterval(fn, ms) {
    const t = setInterval(fn, Math.min(Math.max(1, Number.isNaN(ms) ? 1 : ms), MAX_TIMER_MS));
    return () => clearInterval(t);
  },
};

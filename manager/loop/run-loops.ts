// Running a set of control loops together outside leadership (tests, tools): every loop runs
// until the signal aborts, and one loop's failure (a broken invariant) stops the others.
// A manager runs its loops under LeaderLoops (leadership.ts) instead, which restarts a failed
// loop while it still leads.

import { setMaxListeners } from 'node:events';
import type { ControlLoop } from './control-loop.js';

/**
 * Runs every loop until `signal` aborts. If one loop fails (a broken invariant), the others are
 * stopped and the returned promise rejects with that failure.
 */
export async function runControlLoops(loops: readonly ControlLoop[], signal: AbortSignal): Promise<void> {
  const inner = new AbortController();
  // Each loop and each of its watchers listens on the signal.
  setMaxListeners(0, inner.signal);
  const stop = (): void => inner.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) inner.abort();
  try {
    const results = await Promise.allSettled(
      loops.map((loop) =>
        loop.run(inner.signal).catch((e: unknown) => {
          inner.abort();
          throw e;
        }),
      ),
    );
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

// A level-free "something changed" signal: waiters park on next() and all wake at the next
// notify(). Callers re-check their condition after waking (like a condition variable).

export class ChangeSignal {
  private wake: () => void = () => undefined;
  private pending: Promise<void> = this.fresh();

  notify(): void {
    const wake = this.wake;
    this.pending = this.fresh();
    wake();
  }

  /** Resolves at the next notify(), or when `signal` aborts (at once if it already has). */
  async next(signal?: AbortSignal): Promise<void> {
    if (signal === undefined) return this.pending;
    if (signal.aborted) return;
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.pending, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private fresh(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }
}

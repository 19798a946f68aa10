// One pending "try again soon" per loop: after a refused write, wake the loop after a short
// delay on the injected clock. Cancelled when the loop stops.

import type { Cancel, Clock } from '../../api/clock/clock.js';
import type { Wakeup } from './wakeup.js';

export const RETRY_DELAY_MS = 100;

export class RetryTimer {
  readonly #clock: Clock;
  readonly #wakeup: Wakeup;
  readonly #delay: number;
  #cancel: Cancel | undefined;

  constructor(clock: Clock, wakeup: Wakeup, delay = RETRY_DELAY_MS) {
    this.#clock = clock;
    this.#wakeup = wakeup;
    this.#delay = delay;
  }

  schedule(): void {
    if (this.#cancel !== undefined) return;
    this.#cancel = this.#clock.setTimeout(() => {
      this.#cancel = undefined;
      this.#wakeup.notify();
    }, this.#delay);
  }

  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}

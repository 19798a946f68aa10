// Renews the node's certificate on its own before it expires: at a jittered point between half
// and four fifths of its lifetime (so a swarm's nodes do not all renew at once), at a manager;
// on failure it retries every 30 s until it works or the certificate expires.

import type { Logger } from 'pino';
import type { NodeCredentials } from '../ca/ca-client.js';
import { parseNodeCertificate, renewalTime } from '../ca/node-certificate.js';
import { systemClock, type Cancel, type Clock } from '../api/clock/clock.js';

/** Longest single timer: Node's setTimeout overflows past 2^31-1 ms (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RETRY_MS = 30_000;

export interface CertRenewalOptions {
  /** The credentials in use now. */
  readonly current: () => NodeCredentials | undefined;
  /** host:port of a manager to renew at (undefined: none known now; retried later). */
  readonly target: () => string | undefined;
  /** Renews at `target` (manager/ca's renewNodeCertificate in production). */
  readonly renew: (target: string, current: NodeCredentials) => Promise<NodeCredentials>;
  /** Puts the renewed credentials to use (save them, serve them, reconnect). */
  readonly onRenewed: (renewed: NodeCredentials) => Promise<void>;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** In [0, 1): where in the renewal window this node renews (default: random). */
  readonly jitter?: number;
}

export class CertRenewal {
  private readonly o: CertRenewalOptions;
  private readonly clock: Clock;
  private readonly jitter: number;
  private cancel: Cancel | undefined;
  private stopped = false;

  constructor(o: CertRenewalOptions) {
    this.o = o;
    this.clock = o.clock ?? systemClock;
    this.jitter = o.jitter ?? Math.random();
  }

  /** The moment the current certificate is due for renewal. */
  dueAt(): Date | undefined {
    const c = this.o.current();
    return c ? renewalTime(parseNodeCertificate(c.certPem), this.jitter) : undefined;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(delayMs?: number): void {
    if (this.stopped) return;
    const due = this.dueAt();
    if (!due) return;
    const wait = delayMs ?? Math.max(0, due.getTime() - this.clock.now());
    this.cancel = this.clock.setTimeout(() => void this.tick(), Math.min(wait, MAX_TIMER_MS));
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const current = this.o.current();
    const due = this.dueAt();
    if (!current || !due) return;
    if (this.clock.now() < due.getTime()) {
      this.schedule(); // a long wait spans several timers
      return;
    }
    const target = this.o.target();
    if (!target) {
      this.schedule(RETRY_MS);
      return;
    }
    try {
      const renewed = await this.o.renew(target, current);
      await this.o.onRenewed(renewed);
      this.o.logger.info(
        { notAfter: parseNodeCertificate(renewed.certPem).notAfter },
        'node certificate renewed',
      );
      this.schedule();
    } catch (e: unknown) {
      this.o.logger.warn(
        { err: e instanceof Error ? e.message : String(e), target },
        'certificate renewal failed; retrying',
      );
      this.schedule(RETRY_MS);
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }
}

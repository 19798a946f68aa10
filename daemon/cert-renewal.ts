// Renews the node's certificate on its own before it expires: at a jittered point between half
// and four fifths of its lifetime (so a swarm's nodes do not all renew at once), at a manager;
// on failure it retries every 30 s until it works or the certificate expires. It also follows a
// root CA rotation (root-rotation-check.ts: renew from the next root, then trust the roots the
// swarm trusts): the agent's session names the swarm's roots by a digest (rootsAnnounced), and
// the roots are fetched from a manager only when that digest is not the one this node settled
// on, again a second after each step taken, and every few seconds while a fetch fails. A slow
// poll (every 5 minutes) covers a session that does not carry the digest. Polling every node
// every few seconds instead cost the managers 400 mutual-TLS calls a second at 2,000 nodes.

import type { Logger } from 'pino';
import type { NodeCredentials, SwarmRoots } from '../ca/ca-client.js';
import { rootsDigest } from '../ca/cluster-roots.js';
import { RootRotatedAwayError } from '../ca/errors.js';
import { rootAction } from './root-rotation-check.js';
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
  /** Asks `target` for the swarm's roots (ca-client's fetchSwarmRoots); without it, no rotation is followed. */
  readonly fetchRoots?: (target: string, current: NodeCredentials) => Promise<SwarmRoots>;
  /** Explains a failed roots check (ca-client's fetchAnnouncedRoot: unverified, for messages only). */
  readonly announcedRoot?: (target: string) => Promise<string>;
  /** How often the roots are checked without an announced change (default 5 minutes). */
  readonly rootCheckMs?: number;
  /**
   * Longest random wait before fetching roots a session announced changed (default 1 s): a
   * rotation is announced to every node at once, and their fetches are spread over it.
   */
  readonly announceJitterMs?: number;
  /** The node's certificate no longer chains to the swarm's root: it must leave and join again. */
  readonly onLockedOut?: (e: RootRotatedAwayError) => void;
}

/** The slow poll of the swarm's roots, for a session that does not name them. */
const ROOT_POLL_MS = 5 * 60_000;
/** After a step of a rotation (renewed, or trusted new roots): look again for the next one. */
const ROOT_FOLLOW_UP_MS = 1_000;
/** A fetch of announced roots that failed is retried this often until it works. */
const ROOT_RETRY_MS = 5_000;
const ANNOUNCE_JITTER_MS = 1_000;

/** What one look at the swarm's roots came to. */
type RootCheck = 'settled' | 'acted' | 'failed' | 'skipped' | 'locked-out';

export class CertRenewal {
  private readonly o: CertRenewalOptions;
  private readonly clock: Clock;
  private readonly jitter: number;
  private cancel: Cancel | undefined;
  private cancelRootCheck: Cancel | undefined;
  /** When the scheduled roots check runs (clock ms). */
  private rootCheckAt = Infinity;
  private checkingRoots = false;
  /** The digest of the roots this node is in line with (nothing left to do about them). */
  private settledDigest: string | undefined;
  /** The digest the agent's session named last. */
  private announcedDigest: string | undefined;
  private stopped = false;
  /** A renewal (scheduled or forced by a rotation) is running: one at a time. */
  private renewing = false;

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
    // At start the roots are looked at once: a rotation may have gone on while the node was away.
    if (this.o.fetchRoots !== undefined) this.scheduleRootCheck(0);
  }

  /**
   * The agent's session named the swarm's roots (SessionMessage.roots_digest; undefined: it did
   * not say). A digest other than the settled one is fetched and followed soon.
   */
  rootsAnnounced(digest: string | undefined): void {
    if (digest === undefined || this.o.fetchRoots === undefined) return;
    this.announcedDigest = digest;
    if (digest === this.settledDigest) return;
    const jitter = this.o.announceJitterMs ?? ANNOUNCE_JITTER_MS;
    this.scheduleRootCheck(Math.floor(Math.random() * jitter));
  }

  /** Runs the roots check in `delayMs`, unless one is due sooner already. */
  private scheduleRootCheck(delayMs: number): void {
    if (this.stopped) return;
    const at = this.clock.now() + delayMs;
    if (this.cancelRootCheck !== undefined && this.rootCheckAt <= at) return;
    this.cancelRootCheck?.();
    this.rootCheckAt = at;
    this.cancelRootCheck = this.clock.setTimeout(() => {
      this.cancelRootCheck = undefined;
      this.rootCheckAt = Infinity;
      void this.runRootCheck();
    }, delayMs);
  }

  private async runRootCheck(): Promise<void> {
    if (this.checkingRoots) return;
    this.checkingRoots = true;
    let outcome: RootCheck = 'failed';
    try {
      outcome = await this.checkRoots();
    } finally {
      this.checkingRoots = false;
      this.scheduleRootCheck(this.nextRootCheckMs(outcome));
    }
  }

  private nextRootCheckMs(outcome: RootCheck): number {
    const poll = this.o.rootCheckMs ?? ROOT_POLL_MS;
    if (outcome === 'acted') return Math.min(ROOT_FOLLOW_UP_MS, poll);
    const pending = this.announcedDigest !== undefined && this.announcedDigest !== this.settledDigest;
    if (pending && (outcome === 'failed' || outcome === 'skipped')) return Math.min(ROOT_RETRY_MS, poll);
    return poll;
  }

  /** One look at the swarm's roots (see root-rotation-check.ts). */
  async checkRoots(): Promise<RootCheck> {
    const fetchRoots = this.o.fetchRoots;
    const current = this.o.current();
    const target = this.o.target();
    if (this.stopped || this.renewing || !fetchRoots || !current || !target) return 'skipped';
    let roots: SwarmRoots;
    try {
      roots = await fetchRoots(target, current);
    } catch (e: unknown) {
      await this.explainFailure(target, current, e);
      return 'failed';
    }
    const action = rootAction(current, roots, new Date(this.clock.now()));
    if (action.kind === 'none') {
      this.settledDigest = rootsDigest(roots.root, roots.rotationRoot);
      return 'settled';
    }
    this.settledDigest = undefined;
    if (action.kind === 'locked-out') {
      this.lockedOut();
      return 'locked-out';
    }
    if (action.kind === 'trust') {
      this.o.logger.info('the swarm trusts other root CAs now (root CA rotation); following it');
      await this.o.onRenewed({ ...current, rootCaPem: action.rootCaPem });
      return 'acted';
    }
    this.o.logger.info('the swarm root CA is being rotated; renewing the node certificate now');
    return (await this.renewNow(target, current)) ? 'acted' : 'failed';
  }

  /** A roots check that failed: if the manager's root is one our certificate does not chain to, say so. */
  private async explainFailure(target: string, current: NodeCredentials, e: unknown): Promise<void> {
    const err = e instanceof Error ? e.message : String(e);
    try {
      const root = await this.o.announcedRoot?.(target);
      if (
        root !== undefined &&
        rootAction(current, { root }, new Date(this.clock.now())).kind === 'locked-out'
      ) {
        this.lockedOut();
        return;
      }
    } catch {
      // Unreachable manager: nothing to explain beyond the first error.
    }
    this.o.logger.debug({ err, target }, 'could not check the swarm root CA; will retry');
  }

  private lockedOut(): void {
    const e = new RootRotatedAwayError();
    this.o.logger.error(e.message);
    this.o.onLockedOut?.(e);
  }

  private async renewNow(target: string, current: NodeCredentials): Promise<boolean> {
    if (this.renewing) return false;
    this.renewing = true;
    try {
      const renewed = await this.o.renew(target, current);
      await this.o.onRenewed(renewed);
      this.o.logger.info(
        { notAfter: parseNodeCertificate(renewed.certPem).notAfter },
        'node certificate renewed',
      );
      return true;
    } catch (e: unknown) {
      this.o.logger.warn(
        { err: e instanceof Error ? e.message : String(e), target },
        'certificate renewal failed; retrying',
      );
      return false;
    } finally {
      this.renewing = false;
    }
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
    if (await this.renewNow(target, current)) this.schedule();
    else this.schedule(RETRY_MS);
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
    this.cancelRootCheck?.();
    this.cancelRootCheck = undefined;
    this.rootCheckAt = Infinity;
  }
}

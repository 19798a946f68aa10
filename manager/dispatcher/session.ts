// One agent session on the leader: the node it belongs to, the streams open for it (session
// messages, assignments, log subscriptions) and what its assignments stream has been sent.
// Closing a session ends every stream with the given status; an agent that sees it opens a
// new session. A stream whose agent does not read (too many queued messages) closes the
// session rather than letting the manager's memory grow: the agent resynchronizes from a
// full set when it comes back. What a node could not take (an object or a network view over
// its limits) is left out of its messages and handed to the dispatcher to report, and a
// change too large for one message goes in several (assignment-messages.ts).

import type { NetworkViews } from './network-views.js';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  assignmentMessages,
  DEFAULT_MESSAGE_LIMITS,
  type MessageLimits,
  type RefusedObject,
  type ViewPart,
} from './assignment-messages.js';
import { humanBytes } from '../../api/wire/limits.js';
import {
  type Decoded,
  type PbAssignmentsMessage,
  type PbAssignmentsRequest,
  type PbLogSubscription,
  type PbLogSubscriptionsRequest,
  type PbSessionMessage,
  type PbSessionRequest,
} from '../../api/wire/service.js';
import { AgentTooSlowError, type DispatcherRefusal, toServiceError } from '../../api/wire/errors.js';
import type { AssignmentBatch, NodeAssignments } from './assignment-set.js';
import type { ViewBudget, ViewTicket } from './view-budget.js';

export type SessionStream = grpc.ServerWritableStream<Decoded<PbSessionRequest>, PbSessionMessage>;
export type AssignmentsStream = grpc.ServerWritableStream<
  Decoded<PbAssignmentsRequest>,
  PbAssignmentsMessage
>;
export type LogSubscriptionsStream = grpc.ServerWritableStream<
  Decoded<PbLogSubscriptionsRequest>,
  PbLogSubscription
>;

/** Messages queued on one stream before its agent counts as stuck. */
export const MAX_QUEUED_MESSAGES = 256;

type AnyStream = grpc.ServerWritableStream<unknown, unknown>;

/** What a session reads of the cluster's network views. */
export type SessionViews = Pick<NetworkViews, 'of' | 'encodeBytes' | 'encodedSize' | 'largestNetwork'>;

/** A network view left out of a node's messages: larger than a node accepts. */
export interface RefusedView {
  readonly kind: 'network view';
  readonly nodeId: string;
  /** The network that weighs most in it, and its digest (so it is reported once, not per node). */
  readonly networkId: string;
  readonly digest: string;
  readonly reason: string;
}

/** What a session tells the dispatcher besides its own streams. */
export interface SessionHooks {
  /** The session closed. */
  readonly closed: (s: Session) => void;
  /** Objects were left out of the node's messages (the dispatcher reports them). */
  readonly refused?: (s: Session, refused: readonly (RefusedObject | RefusedView)[]) => void;
  /** Per-message limits (default: the agent's). */
  readonly limits?: MessageLimits;
  /**
   * The view was left out of a message because the node had not read the ones before, or the
   * leader's budget for views in flight was spent: the dispatcher offers it again later.
   */
  readonly viewHeld?: (s: Session) => void;
  /** Shared by every session of the dispatcher (view-budget.ts); none: views are never held back. */
  readonly viewBudget?: ViewBudget;
}

/** What goes with a message: the view (or why not), and the budget it was admitted under. */
interface ViewToSend {
  readonly part?: ViewPart;
  readonly refused?: RefusedView;
  /** Left out for now: the leader's budget for views in flight is spent. */
  readonly deferred?: boolean;
  readonly ticket?: ViewTicket;
}

export class Session {
  readonly id: string;
  readonly nodeId: string;
  readonly #logger: Logger;
  readonly #sessionStream: SessionStream;
  #assignments: { stream: AssignmentsStream; tracker: NodeAssignments } | undefined;
  #logs: LogSubscriptionsStream | undefined;
  #closed = false;
  readonly #hooks: SessionHooks;
  /** Views written to the assignments stream that the node has not taken yet. */
  readonly #tickets = new Set<ViewTicket>();

  constructor(id: string, nodeId: string, stream: SessionStream, logger: Logger, hooks: SessionHooks) {
    this.id = id;
    this.nodeId = nodeId;
    this.#sessionStream = stream;
    this.#logger = logger;
    this.#hooks = hooks;
    stream.on('cancelled', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The tracker of the open assignments stream, if any. */
  get assignments(): NodeAssignments | undefined {
    return this.#assignments?.tracker;
  }

  get logStream(): LogSubscriptionsStream | undefined {
    return this.#logs;
  }

  sendSessionMessage(m: PbSessionMessage): void {
    this.#write(this.#sessionStream, m);
  }

  /** Attaches an assignments stream (ending the previous one) and sends it `full`. */
  attachAssignments(stream: AssignmentsStream, tracker: NodeAssignments, full: AssignmentBatch): void {
    const previous = this.#assignments;
    this.#assignments = { stream, tracker };
    if (previous !== undefined) {
      previous.stream.end();
      this.#releaseViews();
    }
    stream.on('cancelled', () => {
      if (this.#assignments?.stream !== stream) return;
      this.#assignments = undefined;
      this.#releaseViews();
    });
    this.sendAssignments(full);
  }

  /**
   * Sends `batch` (and the network view if it changed) in as many messages as the agent's
   * limits need; what the node could not take is left out and handed to the `refused` hook.
   * Returns false when the view was left out for now (viewHeld: the node had not read what it
   * was sent, or the leader's budget for views in flight was spent).
   */
  sendAssignments(batch: AssignmentBatch): boolean {
    const a = this.#assignments;
    if (a === undefined) return true;
    // A node still reading earlier messages gets its tasks now and its view once it has read
    // them (viewHeld): views are not queued behind each other (see refreshNetworkView).
    const held = !batch.full && a.stream.writableLength > 0;
    const view: ViewToSend = held ? {} : this.#viewToSend(batch.full);
    const viewSent = !held && view.deferred !== true;
    if (!viewSent) this.#hooks.viewHeld?.(this);
    const { messages, refused } = assignmentMessages(
      batch,
      view.part,
      this.#hooks.limits ?? DEFAULT_MESSAGE_LIMITS,
    );
    const all = view.refused === undefined ? refused : [...refused, view.refused];
    if (all.length > 0) this.#hooks.refused?.(this, all);
    const only = messages[0];
    if (
      !batch.full &&
      messages.length === 1 &&
      only !== undefined &&
      view.part === undefined &&
      only.updatedTasks.length + only.removedTasks.length + only.secrets.length + only.configs.length === 0
    ) {
      return viewSent; // everything in it was left out: nothing to tell the node
    }
    // The view's budget is released once the last part has left (the stream's write callback:
    // HTTP/2 flow control let it out), or when the stream or session ends.
    const ticket = view.ticket;
    if (ticket !== undefined) this.#tickets.add(ticket);
    const taken =
      ticket === undefined
        ? undefined
        : (): void => {
            ticket.release();
            this.#tickets.delete(ticket);
          };
    // The parts of one change count as one message against the agent's backlog.
    for (const [i, m] of messages.entries()) {
      const done = i === messages.length - 1 ? taken : undefined;
      if (!(i === 0 ? this.#write(a.stream, m, done) : this.#writeMore(a.stream, m, done))) {
        taken?.();
        return viewSent;
      }
    }
    return viewSent;
  }

  #releaseViews(): void {
    for (const t of this.#tickets) t.release();
    this.#tickets.clear();
  }

  /** The cluster's network views (set by the dispatcher). */
  views: SessionViews | undefined;
  /** Digest of the view last sent (not the view: a thousand sessions must not hold a thousand copies). */
  #lastViewDigest: string | undefined;
  /** Network ID → digest of the copy the agent holds. */
  #heldNetworks: ReadonlyMap<string, string> = new Map();

  /**
   * The view to send: whole with a full set, else what changed since the last one (if
   * anything). A view larger than a node accepts is not sent (nor recorded as held): the node
   * keeps the one it has, and it is tried again with the next change.
   */
  #viewToSend(full: boolean): ViewToSend {
    if (!this.views) return {};
    const current = this.views.of(this.nodeId);
    if (!full && current.digest === this.#lastViewDigest) return {};
    const held = full ? undefined : this.#heldNetworks;
    // Its size first: a view that does not go now is never put together.
    let size: number;
    try {
      size = this.views.encodedSize(current, held);
    } catch (e: unknown) {
      return { refused: this.#refusedView(full, current.digest, `it cannot be encoded (${String(e)})`) };
    }
    const limit = (this.#hooks.limits ?? DEFAULT_MESSAGE_LIMITS).maxViewBytes;
    if (size > limit) {
      const largest = this.views.largestNetwork(current);
      const reason =
        `it is ${humanBytes(size)}, more than the ${humanBytes(limit)} a node can ` +
        'receive' +
        (largest === undefined
          ? ''
          : `; network ${largest.name} (${largest.networkId}) alone is ${humanBytes(largest.bytes)}`) +
        ': split its services over more networks';
      return { refused: this.#refusedView(full, current.digest, reason, largest) };
    }
    const budget = this.#hooks.viewBudget;
    const ticket = budget?.take(size);
    if (budget !== undefined && ticket === undefined) {
      // Later: after a full set the node holds nothing this stream sent, so it then gets every
      // network whole (an update whose entries are all full).
      if (full) {
        this.#lastViewDigest = undefined;
        this.#heldNetworks = new Map();
      }
      return { deferred: true };
    }
    let bytes: Uint8Array;
    try {
      bytes = this.views.encodeBytes(current, held);
    } catch (e: unknown) {
      ticket?.release();
      return { refused: this.#refusedView(full, current.digest, `it cannot be encoded (${String(e)})`) };
    }
    this.#lastViewDigest = current.digest;
    this.#heldNetworks = current.networkDigests;
    return {
      part: full ? { networkView: bytes } : { networkViewUpdate: bytes },
      ...(ticket === undefined ? {} : { ticket }),
    };
  }

  /** A view left out: after a full set the node holds none of what was sent before it. */
  #refusedView(
    full: boolean,
    digest: string,
    why: string,
    largest?: { networkId: string; digest: string },
  ): RefusedView {
    if (full) {
      this.#lastViewDigest = undefined;
      this.#heldNetworks = new Map();
    }
    return {
      kind: 'network view',
      nodeId: this.nodeId,
      networkId: largest?.networkId ?? '',
      digest: largest?.digest ?? digest,
      reason: `the network view of node ${this.nodeId} cannot be sent: ${why}`,
    };
  }

  /**
   * Sends the node its network view if it changed (other nodes' tasks come and go). Returns
   * false when the node has not taken what was sent before (its stream still holds messages),
   * or the budget for views in flight is spent: nothing is queued behind them, so a slow node
   * holds one view at a time on this manager, not every step it missed; the dispatcher asks
   * again later, and the node then gets where the views are by then.
   */
  refreshNetworkView(index: number): boolean {
    const a = this.#assignments;
    if (a === undefined || !this.views || this.#closed) return true;
    if (this.views.of(this.nodeId).digest === this.#lastViewDigest) return true;
    if (a.stream.writableLength > 0) return false;
    return this.sendAssignments({ full: false, updated: [], removed: [], secrets: [], configs: [], index });
  }

  attachLogs(stream: LogSubscriptionsStream): void {
    const previous = this.#logs;
    this.#logs = stream;
    if (previous !== undefined) previous.end();
    stream.on('cancelled', () => {
      if (this.#logs === stream) this.#logs = undefined;
    });
  }

  sendLogSubscription(m: PbLogSubscription): boolean {
    const s = this.#logs;
    if (s === undefined) return false;
    return this.#write(s, m);
  }

  /** Ends every stream: with `error` as the status, or OK. Idempotent. */
  close(error?: DispatcherRefusal): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#releaseViews();
    const status = error === undefined ? undefined : toServiceError(error);
    const streams: AnyStream[] = [this.#sessionStream];
    if (this.#assignments !== undefined) streams.push(this.#assignments.stream);
    if (this.#logs !== undefined) streams.push(this.#logs);
    this.#assignments = undefined;
    this.#logs = undefined;
    for (const s of streams) {
      if (s.cancelled || s.writableEnded) continue;
      if (status === undefined) s.end();
      else s.emit('error', status);
    }
    this.#hooks.closed(this);
  }

  /**
   * Writes a further part of what `#write` just accepted, unless the session closed meanwhile.
   * `done` is called once the stream has let the message out.
   */
  #writeMore(stream: AnyStream, m: unknown, done?: () => void): boolean {
    if (this.#closed || stream.cancelled || stream.writableEnded) return false;
    stream.write(m, done);
    return true;
  }

  #write(stream: AnyStream, m: unknown, done?: () => void): boolean {
    if (this.#closed || stream.cancelled || stream.writableEnded) return false;
    if (stream.writableLength >= MAX_QUEUED_MESSAGES) {
      this.#logger.warn(
        { nodeId: this.nodeId },
        'agent is not reading its session streams; closing the session',
      );
      this.close(new AgentTooSlowError(this.nodeId));
      return false;
    }
    stream.write(m, done);
    return true;
  }
}

// One agent session on the leader: the node it belongs to, the streams open for it (session
// messages, assignments, log subscriptions) and what its assignments stream has been sent.
// Closing a session ends every stream with the given status; an agent that sees it opens a
// new session. A stream whose agent does not read (too many queued messages) closes the
// session rather than letting the manager's memory grow: the agent resynchronizes from a
// full set when it comes back.

import type { NetworkViews } from './network-views.js';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { encodeJson } from './wire/json-codec.js';
import {
  AssignmentsType,
  newAssignmentsMessage,
  type Decoded,
  type PbAssignmentsMessage,
  type PbAssignmentsRequest,
  type PbLogSubscription,
  type PbLogSubscriptionsRequest,
  type PbSessionMessage,
  type PbSessionRequest,
} from './wire/service.js';
import { AgentTooSlowError, type DispatcherError, toServiceError } from './errors.js';
import type { AssignmentBatch, NodeAssignments } from './assignment-set.js';

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
export type SessionViews = Pick<NetworkViews, 'of' | 'encode'>;

export class Session {
  readonly id: string;
  readonly nodeId: string;
  readonly #logger: Logger;
  readonly #sessionStream: SessionStream;
  #assignments: { stream: AssignmentsStream; tracker: NodeAssignments } | undefined;
  #logs: LogSubscriptionsStream | undefined;
  #closed = false;
  readonly #onClose: (s: Session) => void;

  constructor(
    id: string,
    nodeId: string,
    stream: SessionStream,
    logger: Logger,
    onClose: (s: Session) => void,
  ) {
    this.id = id;
    this.nodeId = nodeId;
    this.#sessionStream = stream;
    this.#logger = logger;
    this.#onClose = onClose;
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
    if (previous !== undefined) previous.stream.end();
    stream.on('cancelled', () => {
      if (this.#assignments?.stream === stream) this.#assignments = undefined;
    });
    this.sendAssignments(full);
  }

  sendAssignments(batch: AssignmentBatch): void {
    const a = this.#assignments;
    if (a === undefined) return;
    const view = this.#viewToSend(batch.full);
    const m = newAssignmentsMessage({
      type: batch.full ? AssignmentsType.COMPLETE : AssignmentsType.INCREMENTAL,
      updatedTasks: batch.updated.map(encodeJson),
      removedTasks: batch.removed,
      secrets: batch.secrets.map(encodeJson),
      configs: batch.configs.map(encodeJson),
      index: batch.index,
      ...view,
    });
    this.#write(a.stream, m);
  }

  /** The cluster's network views (set by the dispatcher). */
  views: SessionViews | undefined;
  /** Digest of the view last sent (not the view: a thousand sessions must not hold a thousand copies). */
  #lastViewDigest: string | undefined;
  /** Network ID → digest of the copy the agent holds. */
  #heldNetworks: ReadonlyMap<string, string> = new Map();

  /** The view to send: whole with a full set, else what changed since the last one (if anything). */
  #viewToSend(full: boolean): { networkView: Uint8Array } | { networkViewUpdate: Uint8Array } | undefined {
    if (!this.views) return undefined;
    const current = this.views.of(this.nodeId);
    if (!full && current.digest === this.#lastViewDigest) return undefined;
    const held = this.#heldNetworks;
    this.#lastViewDigest = current.digest;
    this.#heldNetworks = current.networkDigests;
    const encode = (json: string): Uint8Array => new TextEncoder().encode(json);
    if (full) return { networkView: encode(this.views.encode(current)) };
    return { networkViewUpdate: encode(this.views.encode(current, held)) };
  }

  /** Sends the node its network view if it changed (other nodes' tasks come and go). */
  refreshNetworkView(index: number): void {
    if (this.#assignments === undefined || !this.views) return;
    if (this.views.of(this.nodeId).digest === this.#lastViewDigest) return;
    this.sendAssignments({ full: false, updated: [], removed: [], secrets: [], configs: [], index });
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
  close(error?: DispatcherError): void {
    if (this.#closed) return;
    this.#closed = true;
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
    this.#onClose(this);
  }

  #write(stream: AnyStream, m: unknown): boolean {
    if (this.#closed || stream.cancelled || stream.writableEnded) return false;
    if (stream.writableLength >= MAX_QUEUED_MESSAGES) {
      this.#logger.warn(
        { nodeId: this.nodeId },
        'agent is not reading its session streams; closing the session',
      );
      this.close(new AgentTooSlowError(this.nodeId));
      return false;
    }
    stream.write(m);
    return true;
  }
}

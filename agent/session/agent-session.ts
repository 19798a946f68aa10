// The agent's link to the managers. It keeps one session open with some manager at a time:
// when a session breaks it backs off (exponential, with jitter) and tries the next manager,
// going first to the leader a refusing follower named, and it takes the manager list each
// session announces. Assignments go to the worker in order; task status reports are queued,
// batched, and retried across reconnects until a manager accepts them, so none is lost while
// the process lives. A node the managers refuse as removed stops here (`onRemoved`).

import { abortableSleep } from '../../api/clock/abortable-sleep.js';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AssignmentChange, TaskStatusReport } from '../../api/wire/assignments.js';
import { systemClock, type Clock } from '../../api/clock/clock.js';
import { decodeTaskStatus, encodeJson } from '../../api/wire/json-codec.js';
import { checkTaskId } from '../../api/wire/json-codec.js';
import type { NodeDescription } from '../../api/objects/index.js';
import { Backoff } from './backoff.js';
import { Connection, type SessionInfo } from './connection.js';
import {
  attachNetworkCall,
  detachNetworkCall,
  type AttachedNetwork,
  type AttachNetworkCall,
} from './network-attachment-calls.js';
import type { RemovedFromSwarmError } from './errors.js';
import type { LogSource } from './log-publisher.js';
import { ManagerList } from './manager-list.js';
import { StatusQueue } from './status-queue.js';

export interface AgentSessionOptions {
  /** host:port of managers to start from (the join address); the leader's list replaces it. */
  readonly managers: readonly string[];
  /** The node's mutual-TLS credentials (insecure only in tests). */
  readonly credentials: grpc.ChannelCredentials;
  /** Extra channel options, e.g. 'grpc.ssl_target_name_override'. */
  readonly channelOptions?: grpc.ChannelOptions;
  /** What the node reports at each session start (a function is read at every connect). */
  readonly nodeDescription: NodeDescription | (() => NodeDescription);
  /** Called with each assignment change, in order; the next waits for a returned promise. */
  readonly onAssignments: (change: AssignmentChange) => void | Promise<void>;
  /** Called when a session starts or its managers/period change, and with undefined when it ends. */
  readonly onSession?: (info: SessionInfo | undefined) => void;
  /** Called once if the managers refuse the node as removed; the session has then stopped. */
  readonly onRemoved?: (error: RemovedFromSwarmError) => void;
  /** Serves the managers' log subscriptions (the worker's task logs). */
  readonly logs?: LogSource;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Wait before asking for a fresh set after a network view could not be read (default 1 s, up to 60 s). */
  readonly resyncBackoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Most reports in one UpdateTaskStatus call (default 1000). */
  readonly maxStatusBatch?: number;
  /** Wait for the first session message (default 10 s). */
  readonly sessionTimeoutMs?: number;
  /** Deadline of heartbeat and status calls (default 10 s). */
  readonly callTimeoutMs?: number;
  /**
   * false: network views are received and dropped unread, and changes carry none. Only for a
   * node that programs no data plane (the scale bench's simulated nodes, hundreds to a process).
   */
  readonly readNetworkViews?: boolean;
}

export class AgentSession {
  readonly #o: AgentSessionOptions;
  readonly #clock: Clock;
  readonly #managers: ManagerList;
  readonly #backoff: Backoff;
  readonly #statuses = new StatusQueue();
  #controller: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #conn: Connection | undefined;
  #info: SessionInfo | undefined;
  #delivery: Promise<void> = Promise.resolve();

  constructor(o: AgentSessionOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.#managers = new ManagerList(o.managers);
    this.#backoff = new Backoff({ ...o.backoff, random: o.random ?? Math.random });
  }

  /** The current session, if one is established. */
  get session(): SessionInfo | undefined {
    return this.#info;
  }

  /** The node ID the managers know this node by (once a session was established). */
  get nodeId(): string | undefined {
    return this.#info?.nodeId;
  }

  /** Manager addresses the agent would try, in its current order. */
  get managers(): readonly string[] {
    return this.#managers.addresses;
  }

  /** Status reports not yet accepted by a manager. */
  get pendingReports(): number {
    return this.#statuses.size;
  }

  start(): void {
    if (this.#controller !== undefined) throw new Error('AgentSession.start called twice');
    const controller = new AbortController();
    this.#controller = controller;
    this.#loop = this.#run(controller.signal).catch((e: unknown) => {
      this.#o.logger.error({ err: e }, 'agent session loop crashed');
    });
  }

  /**
   * Queues status reports; they reach the leader in batches, after reconnects if need be.
   * Throws MalformedMessageError for a report the managers would refuse (a worker bug).
   */
  reportStatus(reports: readonly TaskStatusReport[]): void {
    for (const r of reports) {
      checkTaskId(r.taskId, 'taskId');
      decodeTaskStatus(encodeJson(r.status));
    }
    this.#statuses.add(reports);
    this.#conn?.kick();
  }

  /** Records a network attachment for a container on this node (on the current session). */
  attachNetwork(req: AttachNetworkCall): Promise<AttachedNetwork> {
    return attachNetworkCall(this.#conn?.info === undefined ? undefined : this.#conn, req);
  }

  /** Releases a network attachment of this node. */
  detachNetwork(attachmentId: string): Promise<void> {
    return detachNetworkCall(this.#conn?.info === undefined ? undefined : this.#conn, attachmentId);
  }

  /** Ends the session and stops reconnecting. */
  async stop(): Promise<void> {
    this.#controller?.abort();
    await this.#loop;
    await this.#delivery.catch(() => undefined);
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const addr = this.#managers.pick();
      const conn = new Connection({
        addr,
        credentials: this.#o.credentials,
        ...(this.#o.channelOptions !== undefined ? { channelOptions: this.#o.channelOptions } : {}),
        description:
          typeof this.#o.nodeDescription === 'function' ? this.#o.nodeDescription() : this.#o.nodeDescription,
        statuses: this.#statuses,
        maxStatusBatch: this.#o.maxStatusBatch ?? 1000,
        ...(this.#o.logs !== undefined ? { logs: this.#o.logs } : {}),
        logger: this.#o.logger,
        clock: this.#clock,
        random: this.#o.random ?? Math.random,
        sessionTimeoutMs: this.#o.sessionTimeoutMs ?? 10_000,
        callTimeoutMs: this.#o.callTimeoutMs ?? 10_000,
        onSession: (info) => this.#onSession(info, addr),
        deliver: (change) => this.#deliver(change),
        reject: (reports) => this.#reject(reports),
        ...(this.#o.resyncBackoff !== undefined ? { resyncBackoff: this.#o.resyncBackoff } : {}),
        readNetworkViews: this.#o.readNetworkViews ?? true,
      });
      this.#conn = conn;
      const end = await conn.run(signal);
      this.#conn = undefined;
      if (this.#info !== undefined) {
        this.#info = undefined;
        this.#o.onSession?.(undefined);
      }
      if (end.kind === 'stopped') return;
      if (end.established) this.#backoff.reset();
      if (end.error.code === 'REMOVED_FROM_SWARM') {
        this.#o.logger.error({ err: end.error.message }, 'node removed from the swarm; session stopped');
        this.#o.onRemoved?.(end.error);
        return;
      }
      if (end.leaderAddr !== undefined) this.#managers.preferLeader(end.leaderAddr);
      const wait = this.#backoff.next();
      this.#o.logger.info(
        { err: end.error.message, retryInMs: wait },
        'session with manager ended; reconnecting',
      );
      await abortableSleep(this.#clock, wait, signal);
    }
  }

  #onSession(info: SessionInfo, addr: string): void {
    this.#info = info;
    this.#managers.update(
      info.managers.map((m) => m.addr),
      addr,
    );
    this.#o.onSession?.(info);
  }

  /** Tasks the node could not read: reported rejected, like any report, after reconnects if need be. */
  #reject(reports: readonly TaskStatusReport[]): void {
    this.#o.logger.warn(
      { tasks: reports.map((r) => r.taskId).slice(0, 20), count: reports.length },
      'tasks could not be read; reporting them rejected',
    );
    this.#statuses.add(reports);
    this.#conn?.kick();
  }

  #deliver(change: AssignmentChange): Promise<void> {
    const next = this.#delivery.then(() => this.#o.onAssignments(change));
    this.#delivery = next.catch(() => undefined);
    return next;
  }
}

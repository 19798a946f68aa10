// The dispatcher while this manager leads: agent sessions, heartbeat deadlines, batched
// writes of node and task status, and the assignment router. Built when leadership starts
// and closed when it ends; every open stream is then ended with UNAVAILABLE so agents find
// the next leader.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Cancel, Clock } from '../../api/clock/clock.js';
import type { MemoryStore } from '../store/index.js';
import type { NodeDescription } from '../../api/objects/index.js';
import type { MessageLimits, RefusedObject } from './assignment-messages.js';
import { NodeAssignments } from './assignment-set.js';
import { AssignmentRouter } from './assignment-router.js';
import { BatchWriter } from './batch-writer.js';
import { NodeRemovedError } from '../../api/errors.js';
import {
  DispatcherStoppedError,
  SessionExpiredError,
  SessionInternalError,
  SessionInvalidError,
} from '../../api/wire/errors.js';
import { HeartbeatMonitor } from './heartbeat-monitor.js';
import type { CallerIdentity } from './identity.js';
import { LogBroker } from './log-broker.js';
import { NetworkViews } from './network-views.js';
import { VIEW_STEP_INTERVAL_MS, ViewPacer } from './view-pacer.js';
import {
  applyNodeStatus,
  HEARTBEAT_FAILURE,
  type NodeStatusChange,
  type NodeStatusOutcome,
} from './node-status-writes.js';
import {
  Session,
  type AssignmentsStream,
  type LogSubscriptionsStream,
  type RefusedView,
  type SessionStream,
} from './session.js';
import {
  heartbeatGrace,
  heartbeatPeriodFromStore,
  managersFromStore,
  rootsDigestFromStore,
  type ManagerPeer,
} from './settings.js';
import { applyStatusReports, type StatusOutcome, type StatusReport } from './task-status-writes.js';
import { applyRejections, hasFinished, type Rejection, type RejectionOutcome } from './task-rejections.js';
import { newSessionMessage, type PbSessionMessage } from '../../api/wire/service.js';
import { ViewBudget } from './view-budget.js';

export interface ActiveDispatcherOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Fixed heartbeat period (ms) instead of the cluster's. */
  readonly heartbeatPeriodMs?: number;
  /** Margin added to three periods before a silent node is marked down. */
  readonly heartbeatGraceExtraMs?: number;
  /** Managers to announce instead of the store's manager nodes. */
  readonly managers?: () => readonly ManagerPeer[];
  /** Most task status reports in one store transaction. */
  readonly maxStatusBatch?: number;
  /** Events the store watch may hold before every session is resynchronized. */
  readonly watchBufferSize?: number;
  /** Per-message limits of assignments (default: what an agent accepts). */
  readonly messageLimits?: MessageLimits;
  /** Least time between two steps of the nodes' network views (ms; view-pacer.ts). */
  readonly viewStepIntervalMs?: number;
  /** Bytes of large network views in flight to all nodes at once (view-budget.ts). */
  readonly viewBudgetBytes?: number;
  /** Counts nodes marked down for missing their heartbeats (metrics). */
  readonly heartbeatsMissed?: { inc(): void };
}

export interface ViewBacklog {
  readonly behind: number;
  readonly inFlightBytes: number;
}

/** How often a node that had not read its last messages is offered its current view again (ms). */
const VIEW_RETRY_MS = 250;

/** Objects remembered as already logged as undeliverable, before the memory starts afresh. */
const MAX_LOGGED_REFUSALS = 4096;

export class ActiveDispatcher {
  readonly logs: LogBroker;
  readonly #o: ActiveDispatcherOptions;
  readonly #sessions = new Map<string, Session>();
  readonly #byNode = new Map<string, Session>();
  readonly #monitor: HeartbeatMonitor;
  readonly #statuses: BatchWriter<StatusReport, StatusOutcome>;
  readonly #nodes: BatchWriter<NodeStatusChange, NodeStatusOutcome>;
  readonly #rejections: BatchWriter<Rejection, RejectionOutcome>;
  /** Tasks whose rejection is being written (each is written once). */
  readonly #rejecting = new Set<string>();
  /** Secrets, configs and network views already logged as undeliverable (bounded). */
  #loggedRefusals = new Set<string>();
  readonly #router: AssignmentRouter;
  readonly #views: NetworkViews;
  readonly #viewPacer: ViewPacer;
  #period: number;
  #managers: readonly ManagerPeer[];
  /** The swarm's roots as sessions name them (settings.ts rootsDigestFromStore). */
  #rootsDigest: string;
  #closed = false;

  constructor(o: ActiveDispatcherOptions) {
    this.#o = o;
    const logger = o.logger;
    this.#monitor = new HeartbeatMonitor(o.clock, (nodeId) => this.#expire(nodeId));
    this.#statuses = new BatchWriter({
      store: o.store,
      logger,
      maxBatch: o.maxStatusBatch ?? 1000,
      apply: (tx, items) => applyStatusReports(tx, items, new Date(o.clock.now()).toISOString()),
    });
    this.#nodes = new BatchWriter({ store: o.store, logger, apply: applyNodeStatus });
    this.#rejections = new BatchWriter({
      store: o.store,
      logger,
      apply: (tx, items) => applyRejections(tx, items, new Date(o.clock.now()).toISOString()),
    });
    this.#views = new NetworkViews(o.store);
    this.#viewBudget = new ViewBudget(o.viewBudgetBytes);
    this.#viewPacer = new ViewPacer({
      clock: o.clock,
      intervalMs: o.viewStepIntervalMs ?? VIEW_STEP_INTERVAL_MS,
      apply: (changes) => this.#views.apply(changes),
      stepped: () => this.#refreshViews(this.#sessions.values()),
    });
    this.#router = new AssignmentRouter(
      o.store,
      {
        session: (nodeId) => this.#byNode.get(nodeId),
        sessions: () => this.#sessions.values(),
        nodeRemoved: (nodeId) => this.#byNode.get(nodeId)?.close(new NodeRemovedError(nodeId)),
        settingsChanged: () => this.#refreshSettings(),
        resync: () => this.#resync(),
        networkViewsChanged: (changes) => this.#viewPacer.push(changes),
        viewsStepped: () => this.#refreshViews(this.#sessions.values()),
      },
      logger,
      o.watchBufferSize,
    );
    this.logs = new LogBroker({ store: o.store, logger, session: (nodeId) => this.#byNode.get(nodeId) });
    [this.#period, this.#managers, this.#rootsDigest] = this.#readSettings();
  }

  /** Heartbeat period agents are told to use (ms). */
  get period(): number {
    return this.#period;
  }

  get grace(): number {
    return heartbeatGrace(this.#period, this.#o.heartbeatGraceExtraMs);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /**
   * Nodes waiting to be offered their current view again (they had not read earlier messages,
   * or the budget was spent), and bytes of large views sent and not yet taken: both 0 once every
   * node holds the current view.
   */
  get viewBacklog(): ViewBacklog {
    return { behind: this.#viewsBehind.size, inFlightBytes: this.#viewBudget.inFlight };
  }

  /**
   * Starts routing store changes, and gives every node the store shows as ready one grace
   * period to (re)connect before it is marked down (it may have been connected to the
   * previous leader). Resolves when `signal` aborts.
   */
  run(signal: AbortSignal): Promise<void> {
    const loop = this.#router.start(signal);
    const ready = this.#o.store.view((tx) => tx.list('nodes').filter((n) => n.status.state === 'ready'));
    for (const n of ready) if (!this.#byNode.has(n.id)) this.#monitor.beat(n.id, this.grace);
    return loop;
  }

  /** Ends every session with UNAVAILABLE and fails every pending write. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const stopped = new DispatcherStoppedError();
    this.#monitor.close();
    this.#viewPacer.close();
    this.#viewRetry?.();
    this.#viewsBehind.clear();
    this.#statuses.close(stopped);
    this.#nodes.close(stopped);
    this.#rejections.close(stopped);
    for (const s of [...this.#sessions.values()]) s.close(stopped);
    this.logs.close();
  }

  async openSession(
    who: CallerIdentity,
    description: NodeDescription,
    addr: string,
    stream: SessionStream,
  ): Promise<void> {
    const [outcome] = await this.#nodes.submit([{ kind: 'ready', nodeId: who.nodeId, description, addr }]);
    if (outcome === 'not-member') throw new NodeRemovedError(who.nodeId);
    if (this.#closed) throw new DispatcherStoppedError();
    // The node is recorded as ready: from now on it must beat, even if this stream is gone.
    this.#monitor.beat(who.nodeId, this.grace);
    if (stream.cancelled) return;
    const session = new Session(randomUUID(), who.nodeId, stream, this.#o.logger, {
      closed: (s) => this.#forget(s),
      refused: (s, refused) => this.#refused(s, refused),
      viewHeld: (s) => this.#viewHeld(s),
      viewBudget: this.#viewBudget,
      ...(this.#o.messageLimits !== undefined ? { limits: this.#o.messageLimits } : {}),
    });
    session.views = this.#views;
    this.#byNode.get(who.nodeId)?.close(new SessionInvalidError(this.#byNode.get(who.nodeId)?.id ?? ''));
    this.#sessions.set(session.id, session);
    this.#byNode.set(who.nodeId, session);
    this.#o.logger.debug({ nodeId: who.nodeId, sessionId: session.id, addr }, 'agent session opened');
    session.sendSessionMessage(this.#sessionMessage(session));
  }

  /** Records a heartbeat; returns the period until the next one is due. */
  heartbeat(who: CallerIdentity, sessionId: string): number {
    this.#current(who, sessionId);
    this.#monitor.beat(who.nodeId, this.grace);
    return this.#period;
  }

  /** Applies the reports once committed; resolves with how many changed a task. */
  async updateTaskStatus(
    who: CallerIdentity,
    sessionId: string,
    reports: readonly Omit<StatusReport, 'nodeId'>[],
  ): Promise<number> {
    this.#current(who, sessionId);
    const outcomes = await this.#statuses.submit(reports.map((r) => ({ ...r, nodeId: who.nodeId })));
    return outcomes.filter((o) => o === 'applied').length;
  }

  openAssignments(who: CallerIdentity, sessionId: string, stream: AssignmentsStream): void {
    const session = this.#current(who, sessionId);
    const tracker = new NodeAssignments(who.nodeId);
    const store = this.#o.store;
    const full = store.view((tx) => tracker.reset(tx, store.appliedIndex));
    session.attachAssignments(stream, tracker, full);
  }

  openLogSubscriptions(who: CallerIdentity, sessionId: string, stream: LogSubscriptionsStream): void {
    this.#current(who, sessionId).attachLogs(stream);
  }

  /** The session `sessionId` if it is the caller's current one. */
  checkSession(who: CallerIdentity, sessionId: string): Session {
    return this.#current(who, sessionId);
  }

  #current(who: CallerIdentity, sessionId: string): Session {
    const s = this.#sessions.get(sessionId);
    if (s === undefined || s.nodeId !== who.nodeId || s.closed) throw new SessionInvalidError(sessionId);
    return s;
  }

  #forget(s: Session): void {
    if (this.#sessions.get(s.id) === s) this.#sessions.delete(s.id);
    if (this.#byNode.get(s.nodeId) === s) this.#byNode.delete(s.nodeId);
    this.#viewsBehind.delete(s);
    this.logs.sessionClosed(s);
  }

  /**
   * Objects left out of a node's messages: a task is rejected in the store (once: a finished
   * task is not written again, nor one whose write is in flight); a secret, config or network
   * view is logged once per version.
   */
  #refused(s: Session, refused: readonly (RefusedObject | RefusedView)[]): void {
    const logger = this.#o.logger;
    const fresh: Rejection[] = [];
    for (const r of refused) {
      if (r.kind === 'task') {
        if (hasFinished(r.task.status.state) || this.#rejecting.has(r.task.id)) continue;
        this.#rejecting.add(r.task.id);
        logger.warn(
          { nodeId: s.nodeId, taskId: r.task.id, serviceId: r.task.serviceId, reason: r.reason },
          'task cannot be sent to its node; rejecting it',
        );
        fresh.push({ nodeId: s.nodeId, taskId: r.task.id, reason: r.reason });
        continue;
      }
      const key =
        r.kind === 'network view' ? `view:${r.networkId}:${r.digest}` : `${r.kind}:${r.id}:${r.version}`;
      if (this.#loggedRefusals.has(key)) continue;
      if (this.#loggedRefusals.size >= MAX_LOGGED_REFUSALS) this.#loggedRefusals = new Set();
      this.#loggedRefusals.add(key);
      logger.warn({ nodeId: s.nodeId, reason: r.reason }, `${r.kind} cannot be sent to nodes; left out`);
    }
    if (fresh.length === 0) return;
    this.#rejections.submit(fresh).then(
      () => {
        for (const r of fresh) this.#rejecting.delete(r.taskId);
      },
      (e: unknown) => {
        for (const r of fresh) this.#rejecting.delete(r.taskId);
        if (this.#closed) return;
        logger.warn(
          { count: fresh.length, err: e instanceof Error ? e.message : String(e) },
          'could not mark undeliverable tasks rejected',
        );
      },
    );
  }

  #expire(nodeId: string): void {
    if (this.#closed) return;
    this.#byNode.get(nodeId)?.close(new SessionExpiredError(nodeId));
    this.#o.logger.info({ nodeId }, 'node missed its heartbeats; marking it down');
    this.#o.heartbeatsMissed?.inc();
    this.#nodes.submit([{ kind: 'down', nodeId, message: HEARTBEAT_FAILURE }]).catch((e: unknown) => {
      this.#o.logger.warn(
        { nodeId, err: e instanceof Error ? e.message : String(e) },
        'could not mark node down',
      );
    });
  }

  #readSettings(): [number, readonly ManagerPeer[], string] {
    return this.#o.store.view((tx) => [
      this.#o.heartbeatPeriodMs ?? heartbeatPeriodFromStore(tx),
      this.#o.managers?.() ?? managersFromStore(tx),
      rootsDigestFromStore(tx),
    ]);
  }

  #refreshSettings(): void {
    const [period, managers, rootsDigest] = this.#readSettings();
    const same =
      period === this.#period && sameManagers(managers, this.#managers) && rootsDigest === this.#rootsDigest;
    this.#period = period;
    this.#managers = managers;
    this.#rootsDigest = rootsDigest;
    for (const s of this.#sessions.values()) {
      const before = this.#sentRole.get(s);
      const m = this.#sessionMessage(s);
      // A node's desired role may have changed even when the settings did not.
      if (same && m.desiredRole === before) continue;
      s.sendSessionMessage(m);
    }
  }

  /** The desired role last announced to each session. */
  readonly #sentRole = new WeakMap<Session, string>();

  /** Large views on their way to nodes, across every session. */
  readonly #viewBudget: ViewBudget;

  /** Sessions whose node had not taken its last messages when its view changed. */
  readonly #viewsBehind = new Set<Session>();
  #viewRetry: Cancel | undefined;

  /**
   * Sends `sessions` their network view, where it changed (a step of the views). A session
   * whose node has not read what it was sent yet is tried again every VIEW_RETRY_MS until it has.
   */
  #refreshViews(sessions: Iterable<Session>): void {
    const index = this.#o.store.appliedIndex;
    for (const s of sessions) {
      try {
        if (s.refreshNetworkView(index)) this.#viewsBehind.delete(s);
        else this.#viewsBehind.add(s);
      } catch (e: unknown) {
        this.#viewsBehind.delete(s);
        this.#o.logger.error(
          { nodeId: s.nodeId, err: e instanceof Error ? e.message : String(e) },
          'could not refresh view',
        );
        s.close(new SessionInternalError(s.nodeId, 'refresh view'));
      }
    }
    this.#armViewRetry();
  }

  /** A session's view was left out of its assignments: it is offered again later. */
  #viewHeld(s: Session): void {
    if (this.#sessions.get(s.id) !== s) return;
    this.#viewsBehind.add(s);
    this.#armViewRetry();
  }

  #armViewRetry(): void {
    if (this.#viewsBehind.size === 0 || this.#viewRetry !== undefined || this.#closed) return;
    this.#viewRetry = this.#o.clock.setTimeout(() => {
      this.#viewRetry = undefined;
      this.#refreshViews([...this.#viewsBehind].filter((s) => this.#sessions.get(s.id) === s));
    }, VIEW_RETRY_MS);
  }

  #resync(): void {
    this.#viewPacer.discard();
    this.#views.invalidate();
    const store = this.#o.store;
    store.view((tx) => {
      for (const s of this.#sessions.values()) {
        const tracker = s.assignments;
        if (tracker !== undefined) s.sendAssignments(tracker.reset(tx, store.appliedIndex));
      }
    });
  }

  #sessionMessage(s: Session): PbSessionMessage {
    // The node's current role (the role manager moves it towards the spec, safely for Raft).
    const desiredRole = this.#o.store.view((tx) => tx.get('nodes', s.nodeId)?.role) ?? '';
    this.#sentRole.set(s, desiredRole);
    return newSessionMessage({
      sessionId: s.id,
      nodeId: s.nodeId,
      managers: this.#managers.map((m) => ({ nodeId: m.nodeId, addr: m.addr })),
      heartbeatPeriodMs: this.#period,
      desiredRole,
      rootsDigest: this.#rootsDigest,
    });
  }
}

function sameManagers(a: readonly ManagerPeer[], b: readonly ManagerPeer[]): boolean {
  return a.length === b.length && a.every((m, i) => m.nodeId === b[i]?.nodeId && m.addr === b[i]?.addr);
}

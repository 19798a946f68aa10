// The dispatcher's one watch on the store: task changes are routed to the session of the node
// they concern (a map lookup, not a filter per session), secret and config changes to the
// sessions whose tasks need them; node removals, manager changes and cluster settings are
// reported to the dispatcher. Changes are grouped per transaction (closed by its commit
// event, which carries the index) and sent per drained batch, one message per session.
// If the watch overflows, every session is resynchronized with a full set.

import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { WatchOverflowError, type ChangeEvent, type MemoryStore, type Watcher } from '../store/index.js';
import { affectsNetworkViews } from './network-views.js';
import type { AssignmentBatch } from './assignment-set.js';
import { SessionInternalError } from '../../api/wire/errors.js';
import type { Session } from './session.js';

export interface RouterHooks {
  /** The session of a node, if it has one. */
  session(nodeId: string): Session | undefined;
  sessions(): Iterable<Session>;
  /** A node was deleted from the store. */
  nodeRemoved(nodeId: string): void;
  /** The manager set or the cluster's dispatcher settings may have changed. */
  settingsChanged(): void;
  /** The watch was lost: every session must get a full set again. */
  resync(): void;
  /**
   * Changes that may alter network views, in order (before any session is sent them). Returns
   * true when the views moved forward now (the sessions are then sent what changed), false
   * when the changes wait for a later step (the dispatcher sends it then).
   */
  networkViewsChanged(changes: readonly ChangeEvent[]): boolean;
  /** The views moved forward: every session is to be sent what changed for it. */
  viewsStepped(): void;
}

/** Events the dispatcher's watch may hold before it overflows and resynchronizes. */
export const ROUTER_WATCH_BUFFER = 200_000;

export class AssignmentRouter {
  readonly #store: MemoryStore;
  readonly #hooks: RouterHooks;
  readonly #logger: Logger;
  #pending: ChangeEvent[] = [];

  readonly #bufferSize: number;

  constructor(store: MemoryStore, hooks: RouterHooks, logger: Logger, bufferSize = ROUTER_WATCH_BUFFER) {
    this.#store = store;
    this.#hooks = hooks;
    this.#logger = logger;
    this.#bufferSize = bufferSize;
  }

  /** Subscribes now (so nothing applied after this call is missed) and returns the loop. */
  start(signal: AbortSignal): Promise<void> {
    return this.#loop(this.#subscribe(signal), signal);
  }

  #subscribe(signal: AbortSignal): Watcher {
    return this.#store.watch({
      tables: ['tasks', 'secrets', 'configs', 'nodes', 'clusters', 'networks', 'services'],
      bufferSize: this.#bufferSize,
      signal,
    });
  }

  async #loop(first: Watcher, signal: AbortSignal): Promise<void> {
    let watcher = first;
    while (!signal.aborted) {
      let events;
      try {
        const r = await watcher.next();
        if (r.done === true) return;
        events = [r.value, ...watcher.drain()];
      } catch (e: unknown) {
        if (!(e instanceof WatchOverflowError) || signal.aborted) throw e;
        this.#logger.warn({ err: e.message }, 'dispatcher watch overflowed; resynchronizing every session');
        this.#pending = [];
        watcher = this.#subscribe(signal);
        this.#hooks.resync();
        continue;
      }
      this.#process(events);
    }
  }

  #process(events: readonly (ChangeEvent | { action: 'commit'; index: number })[]): void {
    const dirty = new Set<Session>();
    let settings = false;
    const views: ChangeEvent[] = [];
    for (const e of events) {
      if (e.action !== 'commit') {
        this.#pending.push(e);
        continue;
      }
      for (const c of this.#pending) {
        settings = this.#route(c, e.index, dirty) || settings;
        if (affectsNetworkViews(c)) views.push(c);
      }
      this.#pending = [];
    }
    const stepped = views.length > 0 && this.#hooks.networkViewsChanged(views);
    if (dirty.size > 0) {
      this.#store.view((tx) => {
        for (const s of dirty) this.#guarded(s, () => s.assignments?.take(tx), 'send assignments');
      });
    }
    if (settings) this.#hooks.settingsChanged();
    // Overlay peers: a node's network view changes with other nodes' tasks too.
    if (stepped) this.#hooks.viewsStepped();
  }

  /**
   * Runs one session's step; a failure is that session's alone: it is logged and the session
   * closed (its agent resynchronizes), and the loop goes on with the others.
   */
  #guarded(s: Session, step: () => AssignmentBatch | undefined | void, what: string): void {
    try {
      const batch = step();
      if (batch !== undefined) s.sendAssignments(batch);
    } catch (e: unknown) {
      this.#logger.error(
        { nodeId: s.nodeId, err: e instanceof Error ? e.message : String(e) },
        `could not ${what}`,
      );
      s.close(new SessionInternalError(s.nodeId, what));
    }
  }

  /** Routes one change; returns true when dispatcher settings may have changed. */
  #route(c: ChangeEvent, index: number, dirty: Set<Session>): boolean {
    switch (c.table) {
      case 'tasks': {
        const task = c.object;
        if (c.action === 'delete') {
          this.#removed(task.nodeId, task.id, index, dirty);
          return false;
        }
        if (task.nodeId !== undefined) {
          const s = this.#hooks.session(task.nodeId);
          if (s?.assignments?.taskChanged(task, index) === true) dirty.add(s);
        }
        if (c.action === 'update' && c.oldObject.nodeId !== task.nodeId) {
          this.#removed(c.oldObject.nodeId, task.id, index, dirty);
        }
        return false;
      }
      case 'secrets':
        if (c.action === 'update') {
          for (const s of this.#hooks.sessions()) {
            if (s.assignments?.dependencyChanged({ kind: 'secrets', value: c.object }) === true) dirty.add(s);
          }
        }
        return false;
      case 'configs':
        if (c.action === 'update') {
          for (const s of this.#hooks.sessions()) {
            if (s.assignments?.dependencyChanged({ kind: 'configs', value: c.object }) === true) dirty.add(s);
          }
        }
        return false;
      case 'nodes':
        if (c.action === 'delete') {
          this.#hooks.nodeRemoved(c.object.id);
          return c.object.role === 'manager';
        }
        if (c.action === 'create') return c.object.role === 'manager';
        return (
          c.object.role !== c.oldObject.role ||
          c.object.spec.role !== c.oldObject.spec.role ||
          !isDeepStrictEqual(c.object.managerStatus, c.oldObject.managerStatus)
        );
      case 'clusters':
        return (
          c.action !== 'update' ||
          c.object.spec.dispatcher.heartbeatPeriod !== c.oldObject.spec.dispatcher.heartbeatPeriod ||
          // A root CA rotation started or finished: nodes learn it from their session.
          c.object.rootCA.caCert !== c.oldObject.rootCA.caCert ||
          c.object.rootCA.rootRotation?.caCert !== c.oldObject.rootCA.rootRotation?.caCert
        );
      default:
        return false;
    }
  }

  #removed(nodeId: string | undefined, taskId: string, index: number, dirty: Set<Session>): void {
    if (nodeId === undefined) return;
    const s = this.#hooks.session(nodeId);
    if (s?.assignments?.taskRemoved(taskId, index) === true) dirty.add(s);
  }
}

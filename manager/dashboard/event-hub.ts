// The dashboard's live side: one watch on the manager's store, turned into a delta per
// transaction (deltas.ts), kept in the services' recent events and fanned out to the page's
// event streams. Bounded everywhere: at most `maxClients` streams (more are refused), and a
// stream whose unsent backlog passes `maxBacklogBytes` (a slow or stuck reader) is dropped
// instead of buffered; its page reconnects and reads the state again. If the hub itself falls
// behind the store (its watch overflows), every page is told to read the state again.

import type { Logger } from 'pino';
import type { ChangeEvent, MemoryStore, Watcher } from '../store/index.js';
import { deltaOf, isEmptyDelta } from './deltas.js';
import { ServiceEventRings } from './service-event-rings.js';
import { dashboardState, type DashboardState } from './view-model.js';

export const DEFAULT_MAX_CLIENTS = 32;
/** 1 MiB unsent: a page that far behind is better served by a fresh read of the state. */
export const DEFAULT_MAX_BACKLOG_BYTES = 1024 * 1024;
export const DEFAULT_KEEPALIVE_MS = 15_000;

/** One event stream, as the hub sees it (the HTTP response behind it, or a test double). */
export interface StreamClient {
  /** Queues a chunk for the client. */
  write(chunk: string): void;
  /** Bytes written but not yet taken by the client's socket. */
  backlog(): number;
  /** Ends the stream (the hub forgets the client first). */
  close(): void;
}

export interface DashboardHubOptions {
  readonly store: MemoryStore;
  readonly logger: Logger;
  readonly maxClients?: number;
  readonly maxBacklogBytes?: number;
  readonly keepaliveMs?: number;
  readonly rings?: ServiceEventRings;
}

/** A Server-Sent Events frame: `event` names it, `data` is one line of JSON. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class DashboardHub {
  readonly rings: ServiceEventRings;
  readonly maxClients: number;
  readonly #store: MemoryStore;
  readonly #log: Logger;
  readonly #maxBacklog: number;
  readonly #keepaliveMs: number;
  readonly #clients = new Set<StreamClient>();
  #watcher: Watcher | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(o: DashboardHubOptions) {
    this.#store = o.store;
    this.#log = o.logger;
    this.maxClients = o.maxClients ?? DEFAULT_MAX_CLIENTS;
    this.#maxBacklog = o.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES;
    this.#keepaliveMs = o.keepaliveMs ?? DEFAULT_KEEPALIVE_MS;
    this.rings = o.rings ?? new ServiceEventRings();
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  start(): void {
    this.#subscribe();
    this.#keepalive = setInterval(() => this.#broadcast(': keepalive\n\n'), this.#keepaliveMs);
    this.#keepalive.unref();
  }

  /** The whole state now, with the index it was read at. */
  state(): DashboardState {
    return this.#store.view((tx) => dashboardState(tx, this.#store.appliedIndex));
  }

  /** Adds a stream; false (nothing written) when `maxClients` streams are open already. */
  addClient(c: StreamClient): boolean {
    if (this.#stopped || this.#clients.size >= this.maxClients) return false;
    this.#clients.add(c);
    // The page reads the state once its stream is open; deltas after that read apply on top.
    this.#send(c, `retry: 2000\n${sseFrame('hello', { index: this.#store.appliedIndex })}`);
    return true;
  }

  removeClient(c: StreamClient): void {
    this.#clients.delete(c);
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#keepalive);
    this.#watcher?.close();
    for (const c of [...this.#clients]) this.#drop(c);
  }

  #subscribe(): void {
    if (this.#stopped) return;
    const watcher = this.#store.watch({ tables: ['nodes', 'services', 'tasks'] });
    this.#watcher = watcher;
    void this.#pump(watcher);
  }

  async #pump(watcher: Watcher): Promise<void> {
    let changes: ChangeEvent[] = [];
    try {
      for await (const e of watcher) {
        if (e.action !== 'commit') {
          changes.push(e);
          continue;
        }
        const batch = changes;
        changes = [];
        this.#publish(batch, e.index);
      }
    } catch (e: unknown) {
      if (this.#stopped || this.#watcher !== watcher) return;
      // Overflowed (or a delta could not be made): what the pages hold may have gaps.
      this.#log.warn({ err: e }, 'dashboard fell behind the store; pages will read the state again');
      this.#broadcast(sseFrame('resync', { reason: 'the dashboard fell behind the store' }));
      this.#subscribe();
    }
  }

  #publish(changes: readonly ChangeEvent[], index: number): void {
    const delta = this.#store.view((tx) => deltaOf(changes, index, tx));
    for (const ev of delta.events) this.rings.add(ev);
    for (const c of changes) {
      if (c.table === 'services' && c.action === 'delete') this.rings.forget(c.object.id);
    }
    if (!isEmptyDelta(delta)) this.#broadcast(sseFrame('delta', delta));
  }

  #broadcast(chunk: string): void {
    for (const c of [...this.#clients]) this.#send(c, chunk);
  }

  #send(c: StreamClient, chunk: string): void {
    c.write(chunk);
    const backlog = c.backlog();
    if (backlog > this.#maxBacklog) {
      this.#log.info({ backlog }, 'dashboard stream dropped: its reader is too slow');
      this.#drop(c);
    }
  }

  #drop(c: StreamClient): void {
    this.#clients.delete(c);
    try {
      c.close();
    } catch {
      // Already gone.
    }
  }
}

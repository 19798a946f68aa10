// Runs the rolling updates (leader only). Orchestrators ask for an update of a service whose
// slots run an older spec; the supervisor keeps at most one Updater per service, replacing it
// when the target spec changes (a new `service update`, or a rollback), and feeds each one the
// task events of its service from a single watcher.

import type { Logger } from 'pino';
import type { Clock } from '../../../api/clock/clock.js';
import type { ChangeEvent } from '../../store/events.js';
import type { Service } from '../../../api/objects/index.js';
import type { MemoryStore } from '../../store/store.js';
import type { RestartSupervisor } from '../restart/restart-supervisor.js';
import { specKey } from '../../task/spec-key.js';
import type { UpdateRequests } from '../update-requests.js';
import { WatchLoopBase } from '../../loop/watch-loop-base.js';
import { isRollingBack } from './update-config.js';
import { Updater } from './updater.js';

export interface UpdateSupervisorOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly restarts: RestartSupervisor;
  readonly logger?: Logger;
}

/** What an update works towards: the task template, and whether it is a rollback. */
export function updateTarget(service: Service): string {
  return `${isRollingBack(service) ? 'rollback' : 'update'}\n${specKey(service.spec.taskTemplate)}`;
}

interface Running {
  readonly updater: Updater;
  readonly target: string;
  readonly done: Promise<void>;
}

export class UpdateSupervisor extends WatchLoopBase implements UpdateRequests {
  readonly #o: UpdateSupervisorOptions;
  readonly #running = new Map<string, Running>();
  readonly #requests = new Set<string>();
  #crash: Error | undefined;
  #active = false;

  constructor(o: UpdateSupervisorOptions) {
    super('update-supervisor', ['tasks', 'services'], o);
    this.#o = o;
  }

  update(serviceId: string): void {
    this.#requests.add(serviceId);
    this.wakeup.notify();
  }

  /** Services with an update in progress (for tests and metrics). */
  get running(): number {
    return this.#running.size;
  }

  protected override starting(): void {
    this.#active = true;
  }

  protected override async stopped(): Promise<void> {
    this.#active = false;
    const all = [...this.#running.values()];
    for (const r of all) r.updater.cancel();
    await Promise.all(all.map((r) => r.done));
    this.#running.clear();
  }

  protected override init(): void {
    // Nothing to note at (re)subscription: work starts only when an orchestrator asks.
  }

  protected override onEvent(e: ChangeEvent): void {
    if (e.table === 'tasks') {
      this.#running.get(e.object.serviceId)?.updater.onTask(e.object, e.action === 'delete');
    } else if (e.table === 'services') {
      const running = this.#running.get(e.object.id);
      if (running === undefined) return;
      if (e.action === 'delete' || updateTarget(e.object) !== running.target) running.updater.cancel();
    }
  }

  protected override async flush(): Promise<void> {
    if (this.#crash !== undefined) throw this.#crash;
    if (this.#requests.size === 0) return;
    const ids = [...this.#requests];
    this.#requests.clear();
    for (const id of ids) {
      const service = this.#o.store.view((tx) => tx.get('services', id));
      const running = this.#running.get(id);
      if (service === undefined) {
        running?.updater.cancel();
        continue;
      }
      const target = updateTarget(service);
      if (running !== undefined && running.target === target && !running.updater.cancelled) continue;
      running?.updater.cancel();
      this.#start(id, target, running?.done);
    }
    return Promise.resolve();
  }

  #start(serviceId: string, target: string, previous: Promise<void> | undefined): void {
    const updater = new Updater({
      store: this.#o.store,
      clock: this.#o.clock,
      restarts: this.#o.restarts,
      logger: this.log,
      serviceId,
    });
    const done = (async () => {
      await previous;
      if (!updater.cancelled && this.#active) await updater.run();
    })().then(
      () => {
        if (this.#running.get(serviceId)?.updater === updater) this.#running.delete(serviceId);
      },
      (e: unknown) => {
        this.#crash = e instanceof Error ? e : new Error(String(e));
        this.wakeup.notify();
      },
    );
    this.#running.set(serviceId, { updater, target, done });
  }
}

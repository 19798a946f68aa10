// The orchestration control loops of a leader, wired together: the restart and update
// supervisors the orchestrators share, the replicated, global and job orchestrators, the task
// reaper and the scheduler. Run them all with `runControlLoops` for as long as this manager
// leads; abort the signal when leadership is lost.

import { setMaxListeners } from 'node:events';
import { pino, type Logger } from 'pino';
import type { Clock } from '../../api/clock/clock.js';
import { Scheduler, type SchedulerOptions } from '../scheduler/scheduler.js';
import type { MemoryStore } from '../store/store.js';
import type { ControlLoop } from '../loop/control-loop.js';
import { GlobalOrchestrator } from './global/global-orchestrator.js';
import { JobOrchestrator } from './jobs/job-orchestrator.js';
import { TaskReaper } from './reaper/task-reaper.js';
import { ReplicatedOrchestrator } from './replicated/replicated-orchestrator.js';
import { RestartSupervisor } from './restart/restart-supervisor.js';
import { UpdateSupervisor } from './update/update-supervisor.js';

export type { ControlLoop } from '../loop/control-loop.js';
export { GlobalOrchestrator } from './global/global-orchestrator.js';
export { JobOrchestrator } from './jobs/job-orchestrator.js';
export { TaskReaper } from './reaper/task-reaper.js';
export { ReplicatedOrchestrator } from './replicated/replicated-orchestrator.js';
export { RestartSupervisor } from './restart/restart-supervisor.js';
export { UpdateSupervisor } from './update/update-supervisor.js';

export interface OrchestrationOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Passed to the scheduler (e.g. ['pending'] once an allocator moves tasks out of 'new'). */
  readonly schedulableStates?: SchedulerOptions['schedulableStates'];
}

export interface Orchestration {
  readonly restarts: RestartSupervisor;
  readonly updates: UpdateSupervisor;
  readonly scheduler: Scheduler;
  /** Every loop, in the order they should start. */
  readonly loops: readonly ControlLoop[];
}

export function createOrchestration(o: OrchestrationOptions): Orchestration {
  const logger = o.logger ?? pino({ level: 'silent' });
  const base = { store: o.store, clock: o.clock, logger };
  const restarts = new RestartSupervisor(base);
  const updates = new UpdateSupervisor({ ...base, restarts });
  const deps = { ...base, restarts, updates };
  const scheduler = new Scheduler({
    ...base,
    ...(o.schedulableStates === undefined ? {} : { schedulableStates: o.schedulableStates }),
  });
  const loops: ControlLoop[] = [
    restarts,
    updates,
    new ReplicatedOrchestrator(deps),
    new GlobalOrchestrator(deps),
    new JobOrchestrator(deps),
    new TaskReaper(base),
    scheduler,
  ];
  return { restarts, updates, scheduler, loops };
}

/**
 * Runs every loop until `signal` aborts. If one loop fails (a broken invariant), the others are
 * stopped and the returned promise rejects with that failure.
 */
export async function runControlLoops(loops: readonly ControlLoop[], signal: AbortSignal): Promise<void> {
  const inner = new AbortController();
  // Each loop and each of its watchers listens on the signal.
  setMaxListeners(0, inner.signal);
  const stop = (): void => inner.abort();
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) inner.abort();
  try {
    const results = await Promise.allSettled(
      loops.map((loop) =>
        loop.run(inner.signal).catch((e: unknown) => {
          inner.abort();
          throw e;
        }),
      ),
    );
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

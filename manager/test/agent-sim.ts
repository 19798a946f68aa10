// Plays the agents' part through the real store, one pass at a time: assigned tasks are
// prepared and started as their desired state allows, tasks told to stop report 'shutdown',
// job tasks complete. Tasks on nodes that are down never report (their agent is gone). Tests
// decide which tasks fail.

import { taskStateRank, type Task } from '../../api/objects/index.js';
import type { MemoryStore } from '../store/store.js';
import { withStatus } from '../task/task-factory.js';
import type { ManualClock } from '../../api/clock/manual-clock.js';

export interface AgentSimOptions {
  /** Tasks for which this returns true fail when started (exit code 1). */
  readonly fails?: (task: Task) => boolean;
}

const RUNNING = taskStateRank('running');
const ASSIGNED = taskStateRank('assigned');

export class AgentSim {
  readonly #store: MemoryStore;
  readonly #clock: ManualClock;
  fails: (task: Task) => boolean;

  constructor(store: MemoryStore, clock: ManualClock, o: AgentSimOptions = {}) {
    this.#store = store;
    this.#clock = clock;
    this.fails = o.fails ?? (() => false);
  }

  /** One pass; resolves with the number of tasks that changed. */
  async step(): Promise<number> {
    const now = new Date(this.#clock.now()).toISOString();
    return this.#store.update((tx) => {
      let changed = 0;
      for (const t of tx.list('tasks')) {
        if (t.nodeId === undefined) continue;
        const node = tx.get('nodes', t.nodeId);
        if (node === undefined || node.status.state === 'down') continue;
        const next = this.#next(t, now);
        if (next !== undefined) {
          tx.update('tasks', next);
          changed++;
        }
      }
      return changed;
    });
  }

  #next(t: Task, now: string): Task | undefined {
    const rank = taskStateRank(t.status.state);
    if (rank < ASSIGNED || rank > RUNNING) return undefined;
    const d = t.desiredState;
    if (d === 'shutdown' || d === 'remove') return withStatus(t, 'shutdown', 'shutdown', now);
    if (d === 'ready')
      return t.status.state === 'ready' ? undefined : withStatus(t, 'ready', 'prepared', now);
    if (t.status.state !== 'running') {
      if (this.fails(t)) return withStatus(t, 'failed', 'started', now, 'task: non-zero exit (1)');
      return withStatus(t, 'running', 'started', now);
    }
    if (d === 'complete') return withStatus(t, 'complete', 'finished', now);
    return undefined;
  }
}

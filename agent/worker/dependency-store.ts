// The secrets and configs the managers sent this node, in memory only: they are never written to
// the worker's database (which keeps only the tasks, whose specs hold references), so a
// restarted agent knows none until the managers send the full set again. An object is forgotten
// as soon as no task that may still run references it: the dispatcher sends no removals for
// them, the set of references decides.

import type { Config, Secret, Task } from '../../api/objects/index.js';
import type { AssignmentChange } from '../../api/wire/assignments.js';
import type { TaskDependencies } from '../exec/executor.js';

export class DependencyStore implements TaskDependencies {
  private readonly secrets = new Map<string, Secret>();
  private readonly configs = new Map<string, Config>();
  private fullSetSeen = false;

  /** True once a full assignment set arrived (before that, a restarted agent knows nothing). */
  get synced(): boolean {
    return this.fullSetSeen;
  }

  /** How many secrets and configs are held (for tests and logs: never their contents). */
  get size(): { secrets: number; configs: number } {
    return { secrets: this.secrets.size, configs: this.configs.size };
  }

  secret(id: string): Secret | undefined {
    return this.secrets.get(id);
  }

  config(id: string): Config | undefined {
    return this.configs.get(id);
  }

  /**
   * Takes the objects of an assignment change: a full set replaces everything held, an
   * incremental one adds (or replaces, by ID) what it carries.
   */
  apply(change: Pick<AssignmentChange, 'full' | 'secrets' | 'configs'>): void {
    if (change.full) {
      this.secrets.clear();
      this.configs.clear();
      this.fullSetSeen = true;
    }
    for (const s of change.secrets) this.secrets.set(s.id, s);
    for (const c of change.configs) this.configs.set(c.id, c);
  }

  /** Forgets every secret and config that none of `tasks` (those that may still run) references. */
  retainReferencedBy(tasks: Iterable<Task>): void {
    const secretIds = new Set<string>();
    const configIds = new Set<string>();
    for (const task of tasks) {
      for (const r of task.spec.containerSpec.secrets) secretIds.add(r.secretId);
      for (const r of task.spec.containerSpec.configs) configIds.add(r.configId);
    }
    for (const id of this.secrets.keys()) if (!secretIds.has(id)) this.secrets.delete(id);
    for (const id of this.configs.keys()) if (!configIds.has(id)) this.configs.delete(id);
  }
}

/** The task references at least one secret or config. */
export function hasDependencies(task: Task): boolean {
  const c = task.spec.containerSpec;
  return c.secrets.length > 0 || c.configs.length > 0;
}

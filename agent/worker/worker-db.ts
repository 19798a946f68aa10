// The worker's local memory on disk (LevelDB under the agent's data dir): the tasks assigned to
// the node and the last status reported for each, so a restarted agent resumes where it was
// (adopting running containers) and never reports a state older than one it already sent.

import { Level } from 'level';
import { TASK_STATES, type Task, type TaskStatus } from '../../api/objects/index.js';
import { WorkerDbCorruptError } from './errors.js';

const TASK_PREFIX = 'task!';
const STATUS_PREFIX = 'status!';

export interface WorkerState {
  tasks: Task[];
  statuses: Map<string, TaskStatus>;
}

export class WorkerDb {
  private constructor(
    private readonly db: Level<string, string>,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<WorkerDb> {
    const db = new Level<string, string>(path, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    return new WorkerDb(db, path);
  }

  async load(): Promise<WorkerState> {
    const tasks: Task[] = [];
    const statuses = new Map<string, TaskStatus>();
    for await (const [key, value] of this.db.iterator()) {
      if (key.startsWith(TASK_PREFIX)) tasks.push(this.parseTask(key, value));
      else if (key.startsWith(STATUS_PREFIX))
        statuses.set(key.slice(STATUS_PREFIX.length), this.parseStatus(key, value));
    }
    return { tasks, statuses };
  }

  /** Records tasks as assigned (replacing earlier copies) and forgets the removed ones. */
  async saveAssignments(updated: readonly Task[], removed: readonly string[]): Promise<void> {
    type Op = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };
    const ops: Op[] = updated.map((t) => ({
      type: 'put',
      key: TASK_PREFIX + t.id,
      value: JSON.stringify(t),
    }));
    for (const id of removed) {
      ops.push({ type: 'del', key: TASK_PREFIX + id }, { type: 'del', key: STATUS_PREFIX + id });
    }
    if (ops.length > 0) await this.db.batch(ops);
  }

  async saveStatuses(statuses: readonly { taskId: string; status: TaskStatus }[]): Promise<void> {
    if (statuses.length === 0) return;
    await this.db.batch(
      statuses.map((s) => ({
        type: 'put' as const,
        key: STATUS_PREFIX + s.taskId,
        value: JSON.stringify(s.status),
      })),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  private parse(key: string, value: string): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (e: unknown) {
      throw new WorkerDbCorruptError(this.path, key, String(e));
    }
    if (typeof parsed !== 'object' || parsed === null)
      throw new WorkerDbCorruptError(this.path, key, 'not an object');
    return parsed as Record<string, unknown>;
  }

  private parseTask(key: string, value: string): Task {
    const o = this.parse(key, value);
    if (typeof o['id'] !== 'string' || typeof o['spec'] !== 'object' || typeof o['status'] !== 'object') {
      throw new WorkerDbCorruptError(this.path, key, 'not a task');
    }
    return o as unknown as Task;
  }

  private parseStatus(key: string, value: string): TaskStatus {
    const o = this.parse(key, value);
    if (!(TASK_STATES as readonly unknown[]).includes(o['state']) || typeof o['timestamp'] !== 'string') {
      throw new WorkerDbCorruptError(this.path, key, 'not a task status');
    }
    return o as unknown as TaskStatus;
  }
}

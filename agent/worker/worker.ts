// The worker: turns the node's assignments into task runners on the executor and reports what
// they observe. Assignments and the last reported statuses live in a local LevelDB, so after a
// daemon restart the worker resumes every task where it was: running containers are adopted
// (waited on, not restarted), and containers of tasks no longer assigned are removed once the
// managers send the full assignment set. The secrets and configs the tasks reference are kept in
// memory only (DependencyStore), never in the database.

import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { taskStateRank, type PortConfig, type Task, type TaskStatus } from '../../api/objects/index.js';
import type { AssignmentChange, TaskStatusReport } from '../../api/wire/assignments.js';
import { ContainerNotFoundError } from '../exec/errors.js';
import type { Executor, LogEntry, LogOptions } from '../exec/executor.js';
import { DependencyStore, hasDependencies } from './dependency-store.js';
import { TaskNotFoundError, WorkerClosedError } from './errors.js';
import { StatusBatcher, type StatusListener } from './status-batcher.js';
import { furthest, isTerminal } from './task-progress.js';
import { TaskRunner } from './task-runner.js';
import { WorkerDb } from './worker-db.js';

export interface WorkerOptions {
  executor: Executor;
  /** The agent's data dir; the worker keeps its database in `<dataDir>/worker`. */
  dataDir: string;
  now?: () => Date;
  /** Defers a batch of status changes (default: setImmediate, one batch per tick of the loop). */
  schedule?: (flush: () => void) => void;
  logger?: Logger;
  /**
   * How long a running task on an overlay keeps serving after it is asked to stop, before its
   * container is stopped (default 0): every node takes it out of its load balancing (VIPs and
   * the routing mesh) from the same change, and this lets them do so before it goes away.
   */
  drainMs?: number;
}

export class Worker {
  private readonly runners = new Map<string, TaskRunner>();
  /** Runners of unassigned tasks, until their container is gone. */
  private readonly leaving = new Map<string, { runner: TaskRunner; done: Promise<void> }>();
  private readonly batcher: StatusBatcher;
  /** Secrets and configs of the assigned tasks (memory only). */
  private readonly dependencies = new DependencyStore();
  private readonly now: () => Date;
  private readonly logger: Logger;
  private readonly drainMs: number;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly executor: Executor,
    private readonly db: WorkerDb,
    options: WorkerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.drainMs = options.drainMs ?? 0;
    this.batcher = new StatusBatcher(
      (reports) => this.db.saveStatuses(reports),
      options.schedule ?? ((flush) => setImmediate(flush)),
      this.logger,
    );
  }

  /** Opens the worker's database and resumes every task it remembers. */
  static async open(options: WorkerOptions): Promise<Worker> {
    const db = await WorkerDb.open(join(options.dataDir, 'worker'));
    const worker = new Worker(options.executor, db, options);
    let state;
    try {
      state = await db.load();
    } catch (e: unknown) {
      await db.close();
      throw e;
    }
    for (const task of state.tasks) worker.addRunner(task, state.statuses.get(task.id), true);
    return worker;
  }

  /** Receives status changes, one array per batch, in the order they happened. */
  onStatus(listener: StatusListener): () => void {
    return this.batcher.onStatus(listener);
  }

  /** Applies assignments from the managers (calls are taken in order). */
  apply(change: AssignmentChange): Promise<void> {
    if (this.closed) return Promise.reject(new WorkerClosedError());
    const next = this.chain.then(() => this.applyNow(change));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The node bound a running task's host-mode ports (or no longer does): its status shows them. */
  publishPorts(taskId: string, ports: readonly PortConfig[]): void {
    this.runners.get(taskId)?.publishPorts(ports);
  }

  /** The task as last assigned, with its status as this node last reported it. */
  assigned(taskId: string): { task: Task; status: TaskStatus } | undefined {
    const r = this.runners.get(taskId);
    return r === undefined ? undefined : { task: r.assignment, status: r.current };
  }

  /** The last status of every assigned task (for a session that starts afresh with a manager). */
  statuses(): TaskStatusReport[] {
    return [...this.runners.values()].map((r) => ({ taskId: r.taskId, status: r.current }));
  }

  /**
   * The output of a task's container (`docker service logs`). Throws TaskNotFoundError at once
   * for a task not assigned here; a task that has no container (it was rejected before one was
   * created, or it was removed) simply has no lines.
   */
  taskLogs(taskId: string, options?: LogOptions): AsyncIterable<LogEntry> {
    const runner = this.runners.get(taskId);
    if (runner === undefined) throw new TaskNotFoundError(taskId);
    return (async function* () {
      try {
        yield* runner.logs(options);
      } catch (e: unknown) {
        if (!(e instanceof ContainerNotFoundError)) throw e;
      }
    })();
  }

  /** How many secrets and configs the worker holds in memory (never their contents). */
  dependencyCounts(): { secrets: number; configs: number } {
    return this.dependencies.size;
  }

  /** Resolves once every change applied so far has been acted on and its statuses reported. */
  async settled(): Promise<void> {
    await this.chain;
    await Promise.all([...this.runners.values()].map((r) => r.settled()));
    await Promise.all([...this.leaving.values()].map((l) => l.done));
    await this.batcher.flush();
  }

  /** Stops driving tasks and closes the database; containers keep running for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await Promise.all(
      [...this.runners.values(), ...[...this.leaving.values()].map((l) => l.runner)].map((r) => r.close()),
    );
    await this.batcher.flush();
    await this.db.close();
  }

  private async applyNow(change: AssignmentChange): Promise<void> {
    if (this.closed) throw new WorkerClosedError();
    const removed = new Set(change.removed);
    if (change.full) {
      const assigned = new Set(change.updated.map((t) => t.id));
      for (const id of this.runners.keys()) if (!assigned.has(id)) removed.add(id);
    }
    const updated = change.updated.filter((t) => !removed.has(t.id));
    // Only the tasks (whose specs hold references) go to disk; secrets and configs stay in memory.
    await this.db.saveAssignments(updated, [...removed]);
    this.dependencies.apply(change);
    for (const task of updated) {
      const runner = this.runners.get(task.id);
      if (runner === undefined) this.addRunner(task, undefined);
      else runner.update(task);
    }
    const refused = updated.filter((t) => !this.runners.has(t.id));
    if (refused.length > 0)
      await this.db.saveAssignments(
        [],
        refused.map((t) => t.id),
      );
    for (const id of removed) this.removeRunner(id);
    this.forgetUnneededDependencies();
    if (change.full) await this.removeOrphans();
  }

  /** Drops the secrets and configs that no assigned task which may still run references. */
  private forgetUnneededDependencies(): void {
    const live: Task[] = [];
    for (const r of this.runners.values()) if (!isTerminal(r.current.state)) live.push(r.assignment);
    this.dependencies.retainReferencedBy(live);
  }

  /**
   * Starts driving a task. A task the executor cannot take (its controller cannot be made) is
   * reported rejected with the reason and not kept: one bad task never stops the others.
   * A task restored from the database that still has to be prepared with secrets or configs
   * waits for the managers' full set (which carries them, and kicks the runner again).
   */
  private addRunner(task: Task, local: TaskStatus | undefined, restored = false): void {
    const baseline = furthest(task.status, local);
    let controller;
    try {
      controller = this.executor.controller(task, this.dependencies);
    } catch (e: unknown) {
      const err = e instanceof Error ? e.message : String(e);
      this.logger.error({ taskId: task.id, err }, 'task refused by the executor; rejecting it');
      if (!isTerminal(baseline.state)) {
        const at = this.now().toISOString();
        this.batcher.push({
          taskId: task.id,
          status: { timestamp: at, state: 'rejected', message: 'rejected by the node', err },
        });
      }
      return;
    }
    const runner: TaskRunner = new TaskRunner(task, controller, baseline, {
      report: (taskId, status) => {
        // A runner being removed may still report its shutdown: the managers forgot the task.
        if (this.runners.get(taskId) === runner) this.batcher.push({ taskId, status });
        if (isTerminal(status.state)) this.forgetUnneededDependencies();
      },
      now: this.now,
      logger: this.logger,
      drainMs: this.drainMs,
    });
    this.runners.set(task.id, runner);
    const waitsForDependencies =
      restored &&
      !this.dependencies.synced &&
      hasDependencies(task) &&
      taskStateRank(baseline.state) < taskStateRank('ready');
    if (!waitsForDependencies) runner.kick();
  }

  private removeRunner(taskId: string): void {
    const runner = this.runners.get(taskId);
    if (runner === undefined) return;
    this.runners.delete(taskId);
    const done = runner.remove().then(() => {
      if (this.leaving.get(taskId)?.runner === runner) this.leaving.delete(taskId);
    });
    this.leaving.set(taskId, { runner, done });
  }

  /** Removes managed containers whose task is neither assigned nor being removed. */
  private async removeOrphans(): Promise<void> {
    const containers = await this.executor.listManaged();
    for (const c of containers) {
      if (this.runners.has(c.taskId) || this.leaving.has(c.taskId)) continue;
      this.logger.info(
        { taskId: c.taskId, containerId: c.containerId },
        'removing the container of an unassigned task',
      );
      await this.executor.removeManaged(c.containerId);
    }
    const known = new Set([...this.runners.keys(), ...this.leaving.keys()]);
    await this.executor.removeUnassigned?.(known).catch((e: unknown) => {
      this.logger.error(
        { err: e },
        'host state of unassigned tasks not removed; retried with the next full set',
      );
    });
  }
}

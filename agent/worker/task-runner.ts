// Drives one assigned task through its controller: accepted → preparing → ready → starting →
// running → complete | failed, or shutdown when the desired state says stop, or rejected when
// the node cannot prepare it. Each step is taken from the last status reported, so a runner
// made after an agent restart resumes (a running task is only waited on, never started again).
// Steps that change the task's fate are serialized; the long run (prepare, start, wait) goes on
// beside them and is aborted, without reporting, when a stop or close overtakes it. A step that
// fails (say, the engine did not answer a shutdown) is retried with a growing delay.

import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import {
  taskStateRank,
  type ContainerStatus,
  type PortConfig,
  type Task,
  type TaskState,
  type TaskStatus,
} from '../../api/objects/index.js';
import type { ContainerInfo, Controller, LogEntry, LogOptions } from '../exec/executor.js';
import { AbortedError, ContainerExitedError, ContainerUnhealthyError } from '../exec/errors.js';
import { StateRegressionError } from './errors.js';
import { advances, holdsBeforeStart, isTerminal, wantsStop } from './task-progress.js';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

export interface RunnerHooks {
  /** Called with every new status, in order; the runner has checked that it moves forward. */
  report(taskId: string, status: TaskStatus): void;
  now(): Date;
  logger: Logger;
  /** Grace for load balancers before a running task on an overlay is stopped (ms; 0: none). */
  drainMs?: number;
}

export class TaskRunner {
  private task: Task;
  private status: TaskStatus;
  private run: { abort: AbortController; done: Promise<void> } | undefined;
  private queue: Promise<void> = Promise.resolve();
  private removing = false;
  private stopped = false;
  private containerRemoved = false;
  private closed = false;
  private failures = 0;
  private markGone: () => void = () => undefined;
  private readonly gone = new Promise<void>((resolve) => {
    this.markGone = resolve;
  });
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    task: Task,
    private readonly controller: Controller,
    baseline: TaskStatus,
    private readonly hooks: RunnerHooks,
  ) {
    this.task = task;
    this.status = baseline;
  }

  get taskId(): string {
    return this.task.id;
  }

  get current(): TaskStatus {
    return this.status;
  }

  /** The task as last assigned (its spec names the secrets and configs it needs). */
  get assignment(): Task {
    return this.task;
  }

  /** Takes a newer copy of the task (its desired state may have changed) and acts on it. */
  update(task: Task): void {
    this.task = task;
    this.kick();
  }

  /** Starts acting on the task as it stands. */
  kick(): void {
    this.enqueue(() => this.reconcile());
  }

  /**
   * The task is no longer assigned: shut it down and remove its container. Resolves once the
   * container is gone (after retries, if the engine failed), or when the runner is closed.
   */
  remove(): Promise<void> {
    this.removing = true;
    this.kick();
    return this.gone;
  }

  /**
   * The node bound the task's host-mode published ports: while it runs, its status says so
   * (`docker service ps` shows them under PORTS). A repeat changes nothing.
   */
  publishPorts(ports: readonly PortConfig[]): void {
    if (this.closed || this.status.state !== 'running') return;
    if (isDeepStrictEqual(this.status.portStatus?.ports ?? [], ports)) return;
    const next: TaskStatus = { ...this.status, timestamp: this.hooks.now().toISOString() };
    if (ports.length > 0) next.portStatus = { ports: [...ports] };
    else delete next.portStatus;
    this.status = next;
    this.hooks.report(this.task.id, next);
  }

  /** Resolves once every step queued so far has finished. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** Stops driving the task and leaves its container as it is (the agent is shutting down). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.markGone();
    this.run?.abort.abort();
    await this.run?.done;
    await this.queue;
  }

  logs(options?: LogOptions): AsyncIterable<LogEntry> {
    return this.controller.logs(options);
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).then(
      () => {
        this.failures = 0;
      },
      (e: unknown) => {
        this.hooks.logger.warn({ err: e, taskId: this.task.id }, 'task step failed; retrying');
        this.scheduleRetry();
      },
    );
  }

  /** A step that failed (the engine did not answer, say) is tried again with growing delays. */
  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
    this.retryTimer.unref();
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    if (this.removing || wantsStop(this.task.desiredState)) {
      await this.stop(this.removing || this.task.desiredState === 'remove');
      return;
    }
    if (isTerminal(this.status.state) || this.run !== undefined) return;
    const abort = new AbortController();
    const done = this.drive(abort.signal).finally(() => {
      if (this.run?.abort === abort) this.run = undefined;
    });
    this.run = { abort, done };
  }

  private async drive(signal: AbortSignal): Promise<void> {
    const c = this.controller;
    try {
      if (this.rank() < taskStateRank('accepted')) this.advance(signal, 'accepted', 'accepted');
      if (this.rank() < taskStateRank('ready')) {
        this.advance(signal, 'preparing', 'preparing');
        await c.prepare({ signal, onProgress: (m) => this.note(signal, 'preparing', m) });
        this.advance(signal, 'ready', 'prepared');
      }
      if (holdsBeforeStart(this.task.desiredState)) return;
      if (this.rank() < taskStateRank('running')) {
        this.advance(signal, 'starting', 'starting');
        await c.start({ signal, onProgress: (m) => this.note(signal, 'starting', m) });
        const info = await c.inspect();
        const message = info?.health === 'healthy' ? 'started (healthy)' : 'started';
        this.advance(signal, 'running', message, info);
      }
      const exit = await c.wait(signal);
      if (exit.exitCode === 0) {
        this.advance(signal, 'complete', 'finished', undefined, 0);
      } else {
        const detail = exit.oomKilled ? 'killed by the kernel for lack of memory (OOM)' : exit.error;
        const err = new ContainerExitedError(exit.exitCode, detail).message;
        this.advance(signal, 'failed', 'failed', undefined, exit.exitCode, err);
      }
    } catch (e: unknown) {
      if (e instanceof StateRegressionError) throw e;
      // Overtaken by a stop or close: that path reports the outcome (or nothing, on close).
      if (signal.aborted) return;
      const err = e instanceof Error ? e.message : String(e);
      // Swarm's rule: a task the node could not prepare is rejected; one that failed after it
      // began to start has failed (and its restart policy applies).
      const state: TaskState = this.rank() < taskStateRank('starting') ? 'rejected' : 'failed';
      this.advance(signal, state, state, undefined, undefined, err);
      if (e instanceof ContainerUnhealthyError) await c.shutdown().catch(() => undefined);
    }
  }

  private async stop(removeContainer: boolean): Promise<void> {
    if (!this.stopped) {
      const drainMs = this.hooks.drainMs ?? 0;
      if (drainMs > 0 && this.status.state === 'running' && this.task.networksAttachments.length > 0) {
        // Still serving while every node drops it from its load balancing (as Swarm does).
        await new Promise((r) => setTimeout(r, drainMs));
      }
      const run = this.run;
      run?.abort.abort();
      await run?.done;
      await this.controller.shutdown();
      if (!isTerminal(this.status.state)) {
        const info = await this.controller.inspect().catch(() => undefined);
        this.move('shutdown', 'shutdown', info, info?.exitCode);
      }
      this.stopped = true;
    }
    if (removeContainer && !this.containerRemoved) {
      await this.controller.remove();
      this.containerRemoved = true;
      this.markGone();
    }
  }

  private rank(): number {
    return taskStateRank(this.status.state);
  }

  /** Reports a step of the run, unless a stop or close has overtaken the run. */
  private advance(
    signal: AbortSignal,
    state: TaskState,
    message: string,
    info?: ContainerInfo,
    exitCode?: number,
    err?: string,
  ): void {
    if (signal.aborted) throw new AbortedError(`reporting ${state}`);
    this.move(state, message, info, exitCode, err);
  }

  /** A progress note from the controller: same state, new message (never throws into it). */
  private note(signal: AbortSignal, state: TaskState, message: string): void {
    if (!signal.aborted && this.status.state === state) this.move(state, message);
  }

  private move(
    state: TaskState,
    message: string,
    info?: ContainerInfo,
    exitCode?: number,
    err?: string,
  ): void {
    const next: TaskStatus = { timestamp: this.hooks.now().toISOString(), state, message };
    if (err !== undefined) next.err = err;
    const container = this.containerStatus(info, exitCode);
    if (container !== undefined) next.containerStatus = container;
    if (this.status.portStatus !== undefined) next.portStatus = this.status.portStatus;
    if (!advances(this.status, next)) {
      if (taskStateRank(state) < this.rank())
        throw new StateRegressionError(this.task.id, this.status.state, state);
      return;
    }
    this.status = next;
    this.hooks.report(this.task.id, next);
  }

  private containerStatus(
    info: ContainerInfo | undefined,
    exitCode: number | undefined,
  ): ContainerStatus | undefined {
    const previous = this.status.containerStatus;
    if (info === undefined && previous === undefined) return undefined;
    return {
      containerId: info?.containerId ?? previous?.containerId ?? '',
      pid: info?.pid ?? 0,
      exitCode: exitCode ?? info?.exitCode ?? previous?.exitCode ?? 0,
    };
  }
}

// An in-memory container of the null executor: created → running → exited, with a log buffer
// that followers can stream, and a change signal that waiters and followers park on.

import type { Task } from '../../../api/objects/index.js';
import type { ContainerInfo, ExitStatus, LogEntry, LogOptions } from '../executor.js';
import { ChangeSignal } from '../change-signal.js';
import type { NullProgram } from './null-program.js';

type Phase = 'created' | 'running' | 'exited';

/** Exit codes a shell reports for a process ended by SIGTERM and SIGKILL. */
export const EXIT_SIGTERM = 143;
export const EXIT_SIGKILL = 137;

export class NullContainer {
  private phase: Phase = 'created';
  private exitCode = 0;
  private startedAt: string | undefined;
  private finishedAt: string | undefined;
  private removed = false;
  private readonly entries: LogEntry[] = [];
  private readonly changed = new ChangeSignal();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly task: Task,
    private readonly pid: number,
    private readonly program: NullProgram,
    private readonly now: () => Date,
  ) {}

  get running(): boolean {
    return this.phase === 'running';
  }

  /** Starts the "process" unless it ever started; returns whether it did start now. */
  start(): boolean {
    if (this.phase !== 'created') return false;
    this.phase = 'running';
    this.startedAt = this.now().toISOString();
    for (const line of this.program.stdout) this.write('stdout', line);
    for (const line of this.program.stderr) this.write('stderr', line);
    if (this.program.exitCode !== undefined) this.exit(this.program.exitCode);
    this.notify();
    return true;
  }

  /** Ends the process with `code` if it runs. */
  exit(code: number): void {
    if (this.phase !== 'running') return;
    this.phase = 'exited';
    this.exitCode = code;
    this.finishedAt = this.now().toISOString();
    this.notify();
  }

  remove(): void {
    this.exit(EXIT_SIGKILL);
    this.removed = true;
    this.notify();
  }

  get gone(): boolean {
    return this.removed;
  }

  info(): ContainerInfo {
    const hasHealth =
      this.task.spec.containerSpec.healthcheck !== undefined &&
      this.task.spec.containerSpec.healthcheck.test[0] !== 'NONE';
    const out: ContainerInfo = {
      containerId: this.id,
      pid: this.phase === 'running' ? this.pid : 0,
      running: this.phase === 'running',
      exitCode: this.exitCode,
      health: hasHealth ? 'healthy' : 'none',
    };
    if (this.startedAt !== undefined) out.startedAt = this.startedAt;
    if (this.finishedAt !== undefined) out.finishedAt = this.finishedAt;
    return out;
  }

  /** Resolves once the process has exited (or the container is removed), or `signal` aborts. */
  async exited(signal?: AbortSignal): Promise<ExitStatus | undefined> {
    for (;;) {
      if (this.phase === 'exited') {
        return {
          exitCode: this.exitCode,
          oomKilled: false,
          finishedAt: this.finishedAt ?? this.now().toISOString(),
        };
      }
      if (this.removed || signal?.aborted === true) return undefined;
      await this.nextChange(signal);
    }
  }

  async *logs(options: LogOptions): AsyncGenerator<LogEntry> {
    const streams = options.streams ?? ['stdout', 'stderr'];
    const since = options.since?.toISOString();
    const wanted = (e: LogEntry): boolean =>
      streams.includes(e.stream) && (since === undefined || e.timestamp >= since);
    let backlog = this.entries;
    if (options.tail !== undefined) backlog = options.tail === 0 ? [] : backlog.slice(-options.tail);
    yield* backlog.filter(wanted);
    if (options.follow !== true) return;
    let seen = this.entries.length;
    while (!this.removed && options.signal?.aborted !== true) {
      for (; seen < this.entries.length; seen++) {
        const e = this.entries[seen];
        if (e !== undefined && wanted(e)) yield e;
      }
      if (this.phase !== 'running') return;
      await this.nextChange(options.signal);
    }
  }

  private write(stream: LogEntry['stream'], line: string): void {
    this.entries.push({ stream, timestamp: this.now().toISOString(), line });
  }

  private notify(): void {
    this.changed.notify();
  }

  private nextChange(signal?: AbortSignal): Promise<void> {
    return this.changed.next(signal);
  }
}

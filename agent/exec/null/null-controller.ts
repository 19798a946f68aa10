// A task's controller on the null executor: the same contract as the Docker controller, with
// the container kept in the executor's in-memory engine.

import type { Task } from '../../../api/objects/index.js';
import type {
  ContainerInfo,
  Controller,
  ExitStatus,
  LogEntry,
  LogOptions,
  StepOptions,
  TaskDependencies,
} from '../executor.js';
import { AbortedError, ContainerNotFoundError } from '../errors.js';
import { taskName } from '../../../api/task-identity.js';
import { taskFiles } from '../task-files.js';
import { EXIT_SIGKILL, EXIT_SIGTERM, type NullContainer } from './null-container.js';

/** The null executor's in-memory engine, as its controllers see it. */
export interface NullEngine {
  find(name: string): NullContainer | undefined;
  /** "Pulls" the image: fails if the engine cannot have it. */
  pull(image: string, signal?: AbortSignal): Promise<void>;
  /** Creates the container; throws the executor's errors. */
  create(task: Task): NullContainer;
  remove(name: string): void;
}

export class NullController implements Controller {
  readonly taskId: string;
  private readonly name: string;

  constructor(
    private readonly engine: NullEngine,
    private readonly task: Task,
    private readonly dependencies?: TaskDependencies,
  ) {
    this.taskId = task.id;
    this.name = taskName(task);
  }

  async prepare(options: StepOptions = {}): Promise<void> {
    if (this.engine.find(this.name) !== undefined) return;
    // Same contract as the Docker executor: a secret or config the node lacks rejects the task.
    taskFiles(this.task, this.dependencies);
    await this.engine.pull(this.task.spec.containerSpec.image, options.signal);
    if (options.signal?.aborted === true) throw new AbortedError('preparing the task');
    if (this.engine.find(this.name) === undefined) this.engine.create(this.task);
  }

  async start(options: StepOptions = {}): Promise<void> {
    await Promise.resolve();
    if (options.signal?.aborted === true) throw new AbortedError('starting the task');
    this.must().start();
  }

  async wait(signal?: AbortSignal): Promise<ExitStatus> {
    const status = await this.must().exited(signal);
    if (status !== undefined) return status;
    if (signal?.aborted === true) throw new AbortedError('waiting for the task');
    throw new ContainerNotFoundError(this.name);
  }

  async shutdown(): Promise<void> {
    await Promise.resolve();
    this.engine.find(this.name)?.exit(EXIT_SIGTERM);
  }

  async terminate(): Promise<void> {
    await Promise.resolve();
    this.engine.find(this.name)?.exit(EXIT_SIGKILL);
  }

  async remove(): Promise<void> {
    await Promise.resolve();
    this.engine.remove(this.name);
  }

  async inspect(): Promise<ContainerInfo | undefined> {
    await Promise.resolve();
    return this.engine.find(this.name)?.info();
  }

  async *logs(options: LogOptions = {}): AsyncIterable<LogEntry> {
    yield* this.must().logs(options);
  }

  private must(): NullContainer {
    const c = this.engine.find(this.name);
    if (c === undefined) throw new ContainerNotFoundError(this.name);
    return c;
  }
}

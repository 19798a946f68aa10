// The null executor: tasks "run" in memory, so the control plane can be measured with
// thousands of tasks and no engine. It keeps the same contract as the Docker executor (the
// shared suite checks both): containers named and labelled alike, images that may be missing,
// exit codes, logs, adoption by a later controller for the same task.

import { randomBytes } from 'node:crypto';
import type { NodeDescription, Task } from '../../../api/objects/index.js';
import type { Controller, Executor, ManagedContainer, TaskDependencies } from '../executor.js';
import { ImageNotFoundError } from '../errors.js';
import { taskName } from '../../../api/task-identity.js';
import { NullContainer } from './null-container.js';
import { NullController, type NullEngine } from './null-controller.js';
import { programFromLabels, type NullProgram } from './null-program.js';

export interface NullExecutorOptions {
  /** What describe() answers (default: an 8-CPU, 16 GiB linux/x86_64 node named "null"). */
  description?: NodeDescription;
  /** Images the "engine" can pull; any image when absent. */
  images?: readonly string[];
  /**
   * Simulates pulling a missing image: awaited during prepare (e.g. a delay, to model pull
   * latency in a benchmark). Rejecting fails the prepare with that error.
   */
  pull?: (image: string, signal?: AbortSignal) => Promise<void>;
  /** What each task does (default: read from its labels, see null-program.ts). */
  program?: (task: Task) => NullProgram;
  now?: () => Date;
}

const DEFAULT_DESCRIPTION: NodeDescription = {
  hostname: 'null',
  platform: { architecture: 'x86_64', os: 'linux' },
  resources: { nanoCPUs: 8e9, memoryBytes: 16 * 2 ** 30, generic: [] },
  engine: { engineVersion: 'null', labels: {}, plugins: [] },
};

export class NullExecutor implements Executor {
  private readonly containers = new Map<string, NullContainer>();
  private readonly engine: NullEngine;
  private readonly images: ReadonlySet<string> | undefined;
  private nextPid = 1000;

  constructor(private readonly options: NullExecutorOptions = {}) {
    this.images = options.images === undefined ? undefined : new Set(options.images);
    this.engine = {
      find: (name) => this.containers.get(name),
      create: (task) => this.create(task),
      pull: async (image, signal) => {
        this.checkImage(image);
        await this.options.pull?.(image, signal);
      },
      remove: (name) => {
        this.containers.get(name)?.remove();
        this.containers.delete(name);
      },
    };
  }

  async describe(): Promise<NodeDescription> {
    await Promise.resolve();
    return structuredClone(this.options.description ?? DEFAULT_DESCRIPTION);
  }

  controller(task: Task, dependencies?: TaskDependencies): Controller {
    return new NullController(this.engine, task, dependencies);
  }

  async listManaged(): Promise<ManagedContainer[]> {
    await Promise.resolve();
    return [...this.containers.values()].map((c) => ({
      containerId: c.id,
      name: c.name,
      taskId: c.task.id,
      serviceId: c.task.serviceId,
      nodeId: c.task.nodeId ?? '',
      running: c.running,
    }));
  }

  async removeManaged(containerId: string): Promise<void> {
    await Promise.resolve();
    for (const [name, c] of this.containers) {
      if (c.id !== containerId) continue;
      c.remove();
      this.containers.delete(name);
    }
  }

  private checkImage(image: string): void {
    if (this.images !== undefined && !this.images.has(image)) {
      throw new ImageNotFoundError(
        image,
        `pull access denied for ${image}, repository does not exist or may require 'docker login'`,
      );
    }
  }

  private create(task: Task): NullContainer {
    this.checkImage(task.spec.containerSpec.image);
    const program = (this.options.program ?? programFromLabels)(task);
    const now = this.options.now ?? (() => new Date());
    const container = new NullContainer(
      randomBytes(32).toString('hex'),
      taskName(task),
      task,
      this.nextPid++,
      program,
      now,
    );
    this.containers.set(container.name, container);
    return container;
  }
}

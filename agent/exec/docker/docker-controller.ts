// One task's container on a Docker Engine. The container is found by its Swarm-style name, so
// a controller made after an agent restart adopts the container the previous one created:
// every step first looks at what the engine already has.

import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import type { Task } from '../../../api/objects/index.js';
import type {
  ContainerInfo,
  Controller,
  ExitStatus,
  HealthState,
  LogEntry,
  LogOptions,
  StepOptions,
  TaskDependencies,
} from '../executor.js';
import { AbortedError, ContainerNotFoundError, ExecError } from '../errors.js';
import type { NetworkAttacher } from '../network-attacher.js';
import { taskName } from '../../../api/task-identity.js';
import { containerCreateOptions, endpointSettings } from './container-config.js';
import { statusOf, toExecError } from './engine-errors.js';
import { awaitHealthy, watchUnhealthy } from './health-watch.js';
import { hasImage, pullImage } from './image-pull.js';
import { parseImageReference } from './image-reference.js';
import { LogDecoder, sinceParam } from './log-stream.js';
import type { RegistryAuthResolver } from './registry-auth.js';
import type { SecretMounts } from './secret-mounts.js';
import { taskFiles } from '../task-files.js';

/** What every controller of one DockerExecutor shares. */
export interface DockerContext {
  docker: Dockerode;
  /** The engine's socket, for messages. */
  endpoint: string;
  pullTimeoutMs: number;
  registryAuth?: RegistryAuthResolver;
  attacher: NetworkAttacher;
  /** The in-memory filesystems that hold tasks' secrets and configs. */
  secretMounts: SecretMounts;
  logger: Logger;
}

const DEFAULT_GRACE_MS = 10_000;
const ZERO_TIME = '0001-01-01T00:00:00Z';

export class DockerController implements Controller {
  readonly taskId: string;
  private readonly name: string;

  constructor(
    private readonly ctx: DockerContext,
    private readonly task: Task,
    private readonly dependencies?: TaskDependencies,
  ) {
    this.taskId = task.id;
    this.name = taskName(task);
  }

  async prepare(options: StepOptions = {}): Promise<void> {
    if ((await this.inspect()) !== undefined) return;
    // Before the pull: a secret or config the node lacks rejects the task at once.
    const files = taskFiles(this.task, this.dependencies);
    const image = this.task.spec.containerSpec.image;
    if (!(await hasImage(this.ctx.docker, image, this.ctx.endpoint))) {
      const auth = await this.ctx.registryAuth?.(parseImageReference(image).registry);
      this.ctx.logger.info({ taskId: this.taskId, image, withAuth: auth !== undefined }, 'pulling image');
      await pullImage(this.ctx.docker, image, {
        timeoutMs: this.ctx.pullTimeoutMs,
        endpoint: this.ctx.endpoint,
        ...(auth === undefined ? {} : { auth }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    }
    if (options.signal?.aborted === true) throw new AbortedError('preparing the task');
    const networking = await this.ctx.attacher.prepare(this.task, options.signal);
    const fileMounts = await this.ctx.secretMounts.prepare(this.taskId, files);
    const create = containerCreateOptions(this.task, networking, fileMounts);
    try {
      const created = await this.ctx.docker.createContainer(create);
      // Further networks join before the process starts, each with its allocated address.
      for (const e of networking.endpoints.slice(1)) {
        await this.ctx.docker
          .getNetwork(e.network)
          .connect({ Container: created.id, EndpointConfig: endpointSettings(e) });
      }
      this.ctx.logger.debug(
        { taskId: this.taskId, containerId: created.id, name: this.name },
        'container created',
      );
    } catch (e: unknown) {
      // 409: a container of that name exists (an earlier create raced this one): adopt it.
      if (statusOf(e) === 409 && (await this.inspect()) !== undefined) return;
      throw toExecError(`creating container ${this.name}`, this.ctx.endpoint, e);
    }
  }

  async start(options: StepOptions = {}): Promise<void> {
    const before = await this.mustInspect();
    if (!before.running && before.startedAt === undefined) {
      try {
        await this.container().start();
      } catch (e: unknown) {
        if (statusOf(e) !== 304) throw toExecError(`starting container ${this.name}`, this.ctx.endpoint, e);
      }
    }
    const after = await this.mustInspect();
    if (after.health === 'none') return;
    await awaitHealthy(this.ctx.docker, after.containerId, () => this.inspect(), options);
  }

  async wait(signal?: AbortSignal): Promise<ExitStatus> {
    const info = await this.mustInspect();
    const done = new AbortController();
    const abort = AbortSignal.any(signal === undefined ? [done.signal] : [done.signal, signal]);
    try {
      const exited = this.container()
        .wait({ condition: 'not-running', abortSignal: abort })
        .then(
          () => this.exitStatus(),
          (e: unknown) => {
            if (signal?.aborted === true) throw new AbortedError('waiting for the task');
            throw toExecError(`waiting for container ${this.name}`, this.ctx.endpoint, e);
          },
        );
      if (info.health === 'none') return await exited;
      // Quiet end (aborted because the process exited) never settles: the race is decided by `exited`.
      const unhealthy = watchUnhealthy(this.ctx.docker, info.containerId, () => this.inspect(), abort).then(
        () => new Promise<never>(() => undefined),
      );
      // Whichever loses the race may reject later (aborted); that is expected, not unhandled.
      void unhealthy.catch(() => undefined);
      void exited.catch(() => undefined);
      return await Promise.race([exited, unhealthy]);
    } finally {
      done.abort();
    }
  }

  async shutdown(graceMs?: number): Promise<void> {
    const grace = graceMs ?? this.task.spec.containerSpec.stopGracePeriod ?? DEFAULT_GRACE_MS;
    try {
      await this.container().stop({ t: Math.ceil(grace / 1000) });
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status !== 304 && status !== 404)
        throw toExecError(`stopping container ${this.name}`, this.ctx.endpoint, e);
    }
  }

  async terminate(): Promise<void> {
    try {
      await this.container().kill();
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status !== 404 && status !== 409)
        throw toExecError(`killing container ${this.name}`, this.ctx.endpoint, e);
    }
  }

  async remove(): Promise<void> {
    try {
      await this.container().remove({ force: true, v: true });
    } catch (e: unknown) {
      const status = statusOf(e);
      // 404: already gone; 409: the engine is already removing it.
      if (status !== 404 && status !== 409)
        throw toExecError(`removing container ${this.name}`, this.ctx.endpoint, e);
    }
    this.ctx.logger.debug({ taskId: this.taskId, name: this.name }, 'container removed');
    await this.ctx.secretMounts.release(this.taskId);
    await this.ctx.attacher.release(this.task);
  }

  async inspect(): Promise<ContainerInfo | undefined> {
    let raw: Dockerode.ContainerInspectInfo;
    try {
      raw = await this.container().inspect();
    } catch (e: unknown) {
      if (statusOf(e) === 404) return undefined;
      throw toExecError(`inspecting container ${this.name}`, this.ctx.endpoint, e);
    }
    const s = raw.State;
    const info: ContainerInfo = {
      containerId: raw.Id,
      pid: s.Pid,
      running: s.Running,
      exitCode: s.ExitCode,
      health: healthOf(s.Health?.Status),
    };
    if (s.StartedAt !== '' && s.StartedAt !== ZERO_TIME) info.startedAt = s.StartedAt;
    if (!s.Running && s.FinishedAt !== '' && s.FinishedAt !== ZERO_TIME) info.finishedAt = s.FinishedAt;
    return info;
  }

  async *logs(options: LogOptions = {}): AsyncIterable<LogEntry> {
    const streams = options.streams ?? ['stdout', 'stderr'];
    const query = {
      stdout: streams.includes('stdout'),
      stderr: streams.includes('stderr'),
      timestamps: true,
      ...(options.since === undefined ? {} : { since: sinceParam(options.since) }),
      ...(options.tail === undefined ? {} : { tail: options.tail }),
      ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
    };
    const decoder = new LogDecoder(this.task.spec.containerSpec.tty);
    let source: AsyncIterable<Buffer | string> | Iterable<Buffer>;
    try {
      source =
        options.follow === true
          ? ((await this.container().logs({ ...query, follow: true })) as AsyncIterable<Buffer | string>)
          : [await this.container().logs({ ...query, follow: false })];
    } catch (e: unknown) {
      if (options.signal?.aborted === true) return;
      if (statusOf(e) === 404) throw new ContainerNotFoundError(this.name);
      throw toExecError(`reading logs of ${this.name}`, this.ctx.endpoint, e);
    }
    try {
      for await (const chunk of source) {
        yield* decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      }
    } catch (e: unknown) {
      if (options.signal?.aborted !== true)
        throw toExecError(`reading logs of ${this.name}`, this.ctx.endpoint, e);
    }
    yield* decoder.end();
  }

  private container(): Dockerode.Container {
    return this.ctx.docker.getContainer(this.name);
  }

  private async mustInspect(): Promise<ContainerInfo> {
    const info = await this.inspect();
    if (info === undefined) throw new ContainerNotFoundError(this.name);
    return info;
  }

  private async exitStatus(): Promise<ExitStatus> {
    let raw: Dockerode.ContainerInspectInfo;
    try {
      raw = await this.container().inspect();
    } catch (e: unknown) {
      if (statusOf(e) === 404) throw new ContainerNotFoundError(this.name);
      throw toExecError(`inspecting container ${this.name}`, this.ctx.endpoint, e);
    }
    const s = raw.State;
    if (s.Running)
      throw new ExecError('ENGINE_ERROR', `the engine said ${this.name} stopped, but it still runs`);
    const out: ExitStatus = { exitCode: s.ExitCode, oomKilled: s.OOMKilled, finishedAt: s.FinishedAt };
    if (s.Error !== '') out.error = s.Error;
    return out;
  }
}

function healthOf(status: string | undefined): HealthState {
  switch (status) {
    case 'starting':
    case 'healthy':
    case 'unhealthy':
      return status;
    default:
      return 'none';
  }
}

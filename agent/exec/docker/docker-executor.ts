// The Executor on a Docker Engine, over its API socket with dockerode.

import Dockerode from 'dockerode';
import { pino, type Logger } from 'pino';
import type { Labels, NodeDescription, Task } from '../../../api/objects/index.js';
import type { Controller, Executor, ManagedContainer, TaskDependencies } from '../executor.js';
import { EngineDefaultAttacher, type NetworkAttacher } from '../network-attacher.js';
import { LABEL_MANAGED, LABEL_NODE_ID, LABEL_SERVICE_ID, LABEL_TASK_ID } from '../../../api/task-identity.js';
import { DockerController, type DockerContext } from './docker-controller.js';
import { AttachmentController } from './attachment-controller.js';
import { AttachmentHolders, type SandboxListener } from './attachment-holders.js';
import { statusOf, toExecError } from './engine-errors.js';
import type { RegistryAuthResolver } from './registry-auth.js';
import { DEFAULT_SECRETS_ROOT, SecretMounts } from './secret-mounts.js';

export const DEFAULT_ENGINE_SOCKET = '/var/run/docker.sock';
export const DEFAULT_PULL_TIMEOUT_MS = 5 * 60_000;

export interface DockerExecutorOptions {
  /** Path of the engine's unix socket (default /var/run/docker.sock). */
  socketPath?: string;
  /** A pull that has not finished after this long fails the task (default 5 minutes). */
  pullTimeoutMs?: number;
  /** Credentials for pulls, by registry host. */
  registryAuth?: RegistryAuthResolver;
  /** How containers join networks (default: the engine's default network). */
  attacher?: NetworkAttacher;
  /** Reported instead of the engine's idea of the hostname (lab hosts share one kernel's UTS name). */
  hostname?: string;
  /**
   * Where each task's secrets tmpfs is made, as <secretsRoot>/<taskId> (default
   * /run/shoal/secrets). Outside the data root, and one per node: the executor removes every
   * entry no assigned task owns.
   */
  secretsRoot?: string;
  logger?: Logger;
  /** Told when a container holding a network attachment (`docker run --network`) runs or stops. */
  onAttachmentSandbox?: SandboxListener;
}

export class DockerExecutor implements Executor {
  private readonly ctx: DockerContext;
  private readonly hostname: string | undefined;
  private readonly holders: AttachmentHolders;

  constructor(options: DockerExecutorOptions = {}) {
    const socketPath = options.socketPath ?? DEFAULT_ENGINE_SOCKET;
    const docker = new Dockerode({ socketPath });
    const endpoint = `unix://${socketPath}`;
    this.hostname = options.hostname;
    this.ctx = {
      docker,
      endpoint,
      pullTimeoutMs: options.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS,
      attacher: options.attacher ?? new EngineDefaultAttacher(),
      secretMounts: new SecretMounts(options.secretsRoot ?? DEFAULT_SECRETS_ROOT),
      logger: options.logger ?? pino({ level: 'silent' }),
      ...(options.registryAuth === undefined ? {} : { registryAuth: options.registryAuth }),
    };
    this.holders = new AttachmentHolders(docker, this.ctx.logger, options.onAttachmentSandbox);
  }

  async describe(): Promise<NodeDescription> {
    let raw: unknown;
    try {
      raw = await this.ctx.docker.info();
    } catch (e: unknown) {
      throw toExecError('describing the engine', this.ctx.endpoint, e);
    }
    const info = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const plugins: { type: string; name: string }[] = [];
    const pluginTable = info['Plugins'];
    if (typeof pluginTable === 'object' && pluginTable !== null) {
      for (const [type, names] of Object.entries(pluginTable as Record<string, unknown>)) {
        if (!Array.isArray(names)) continue;
        for (const name of names) if (typeof name === 'string') plugins.push({ type, name });
      }
    }
    return {
      hostname: this.hostname ?? str(info['Name']),
      platform: { architecture: str(info['Architecture']), os: str(info['OSType']) },
      resources: { nanoCPUs: num(info['NCPU']) * 1e9, memoryBytes: num(info['MemTotal']), generic: [] },
      engine: { engineVersion: str(info['ServerVersion']), labels: labelsOf(info['Labels']), plugins },
    };
  }

  controller(task: Task, dependencies?: TaskDependencies): Controller {
    if (task.spec.attachment !== undefined)
      return new AttachmentController(task, this.ctx.attacher, this.holders);
    return new DockerController(this.ctx, task, dependencies);
  }

  async listManaged(): Promise<ManagedContainer[]> {
    let list: Dockerode.ContainerInfo[];
    try {
      list = await this.ctx.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_MANAGED}=true`] },
      });
    } catch (e: unknown) {
      throw toExecError('listing containers', this.ctx.endpoint, e);
    }
    return list.map((c) => ({
      containerId: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      taskId: c.Labels[LABEL_TASK_ID] ?? '',
      serviceId: c.Labels[LABEL_SERVICE_ID] ?? '',
      nodeId: c.Labels[LABEL_NODE_ID] ?? '',
      running: c.State === 'running',
    }));
  }

  async removeUnassigned(assigned: ReadonlySet<string>): Promise<void> {
    await this.ctx.secretMounts.removeUnassigned(assigned);
  }

  async removeManaged(containerId: string): Promise<void> {
    try {
      await this.ctx.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (e: unknown) {
      const status = statusOf(e);
      if (status !== 404 && status !== 409)
        throw toExecError(`removing container ${containerId}`, this.ctx.endpoint, e);
    }
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** The engine lists its labels as "key=value" strings. */
function labelsOf(v: unknown): Labels {
  const out: Labels = {};
  if (!Array.isArray(v)) return out;
  for (const entry of v) {
    if (typeof entry !== 'string') continue;
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
    else out[entry] = '';
  }
  return out;
}

// Following a container's health check through the engine's event stream (no polling): wait
// until it reports healthy before a task is called running, and notice when a running task
// turns unhealthy. The stream is opened before the container is inspected, so no transition
// falls between the two.

import type Dockerode from 'dockerode';
import type { ContainerInfo, ProgressListener } from '../executor.js';
import { AbortedError, ContainerNotFoundError, ContainerUnhealthyError } from '../errors.js';
import { jsonLines } from './json-lines.js';

type Inspect = () => Promise<ContainerInfo | undefined>;

interface Watch {
  events: AsyncGenerator<string>;
  stop(): void;
}

async function openWatch(
  docker: Dockerode,
  containerId: string,
  signal: AbortSignal | undefined,
): Promise<Watch> {
  const local = new AbortController();
  const abort = AbortSignal.any(signal === undefined ? [local.signal] : [local.signal, signal]);
  const stream = await docker.getEvents({
    filters: { container: [containerId], type: ['container'] },
    abortSignal: abort,
  });
  async function* actions(): AsyncGenerator<string> {
    try {
      for await (const event of jsonLines(stream)) {
        if (typeof event !== 'object' || event === null) continue;
        const action =
          (event as { Action?: unknown; status?: unknown }).Action ?? (event as { status?: unknown }).status;
        if (typeof action === 'string') yield action;
      }
    } catch (e: unknown) {
      if (abort.aborted) return;
      throw e;
    }
  }
  return { events: actions(), stop: () => local.abort() };
}

/** Resolves once the container is healthy; rejects if it turns unhealthy or stops first. */
export async function awaitHealthy(
  docker: Dockerode,
  containerId: string,
  inspect: Inspect,
  options: { signal?: AbortSignal; onProgress?: ProgressListener },
): Promise<void> {
  const watch = await openWatch(docker, containerId, options.signal);
  try {
    const info = await inspect();
    if (info === undefined) throw new ContainerNotFoundError(containerId);
    const verdict = judge(info.health, info.running);
    if (verdict === 'healthy') return;
    options.onProgress?.(`health: ${info.health}`);
    for await (const action of watch.events) {
      if (action === 'health_status: healthy') return;
      if (action === 'health_status: unhealthy')
        throw new ContainerUnhealthyError('its health check failed before it became healthy');
      if (action === 'die' || action === 'destroy') {
        throw new ContainerUnhealthyError('it exited before its health check passed');
      }
    }
    throw new AbortedError('waiting for the health check');
  } finally {
    watch.stop();
  }
}

function judge(health: ContainerInfo['health'], running: boolean): 'healthy' | 'waiting' {
  if (health === 'healthy' || health === 'none') return 'healthy';
  if (health === 'unhealthy') throw new ContainerUnhealthyError('its health check reports unhealthy');
  if (!running) throw new ContainerUnhealthyError('it exited before its health check passed');
  return 'waiting';
}

/**
 * Rejects with ContainerUnhealthyError when the running container turns unhealthy; resolves
 * quietly when `signal` aborts (the caller's wait finished another way).
 */
export async function watchUnhealthy(
  docker: Dockerode,
  containerId: string,
  inspect: Inspect,
  signal: AbortSignal,
): Promise<void> {
  const watch = await openWatch(docker, containerId, signal);
  try {
    const info = await inspect();
    if (info?.health === 'unhealthy') throw new ContainerUnhealthyError('its health check reports unhealthy');
    for await (const action of watch.events) {
      if (action === 'health_status: unhealthy')
        throw new ContainerUnhealthyError('its health check failed while it ran');
    }
  } finally {
    watch.stop();
  }
}

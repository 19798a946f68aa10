// Test harness: an API server over a SingleNodeControl (optionally already a swarm manager),
// driven with fastify.inject, plus helpers to seed tasks the way an orchestrator would.

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generateId, type MemoryStore, type Task, type TaskState } from '../../store/index.js';
import { createApiServer } from '../server.js';
import { SingleNodeControl } from './single-node-control.js';

export interface ApiHarness {
  readonly app: FastifyInstance;
  readonly control: SingleNodeControl;
  store(): MemoryStore;
  request(method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A clock that advances one second per reading from a fixed start. */
export function steppingClock(start = Date.UTC(2024, 0, 1)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

export async function startHarness(
  options: { init?: boolean; clock?: () => Date } = {},
): Promise<ApiHarness> {
  const clock = options.clock ?? steppingClock();
  const control = new SingleNodeControl({ hostname: 'node-1', clock });
  const app = createApiServer({ control, build: { version: '0.1.0-test', gitCommit: 'abc123' }, clock });
  await app.ready();
  if (options.init !== false) await control.init({ listenAddr: '0.0.0.0:2377', forceNewCluster: false });
  return {
    app,
    control,
    store: () => control.store(),
    request: (method, url, body) =>
      app.inject({
        method: method as 'GET',
        url,
        ...(body === undefined
          ? {}
          : {
              payload: typeof body === 'string' ? body : JSON.stringify(body),
              headers: { 'content-type': 'application/json' },
            }),
      }),
    close: () => app.close(),
  };
}

/** Adds tasks for a service as an orchestrator and agents would (slots 1..n, given state). */
export async function seedTasks(
  store: MemoryStore,
  serviceId: string,
  count: number,
  state: TaskState = 'running',
  nodeId?: string,
): Promise<Task[]> {
  return store.update((tx) => {
    const service = tx.get('services', serviceId);
    if (service === undefined) throw new Error(`no service ${serviceId}`);
    const out: Task[] = [];
    for (let slot = 1; slot <= count; slot++) {
      out.push(
        tx.create('tasks', {
          id: generateId(),
          serviceId,
          slot,
          ...(nodeId === undefined ? {} : { nodeId }),
          spec: service.spec.taskTemplate,
          specVersion: service.specVersion ?? 0,
          serviceAnnotations: { name: service.spec.name, labels: service.spec.labels },
          desiredState: 'running',
          status: { timestamp: '2024-01-01T00:00:00.000Z', state, message: state },
          networksAttachments: [],
        }),
      );
    }
    return out;
  });
}

/** The body of a minimal valid service create request. */
export function serviceBody(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: 'shoal/busybox:latest', Args: ['sleep', '1000'] } },
    Mode: { Replicated: { Replicas: 2 } },
    ...extra,
  };
}

export function json<T = Record<string, unknown>>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}

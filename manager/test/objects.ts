// Frozen store objects for the pure decision tables (as a view would hand them out).

import { deepFreeze } from '../store/freeze.js';
import type { Node, Service, ServiceMode, Task, TaskState } from '../../api/objects/index.js';
import { newNode, newService, newTask, taskSpec } from '../store/test/fixtures.js';

let seq = 0;
const T0 = Date.UTC(2024, 0, 1);

function meta(version = 1): Task['meta'] {
  const at = new Date(T0 + ++seq * 1000).toISOString();
  return { version, createdAt: at, updatedAt: at };
}

export function node(id: string, change: (n: Node) => void = () => undefined): Node {
  const n: Node = structuredClone({ ...newNode(id), meta: meta() });
  // 8 GiB (the store fixture's `8 << 30` overflows 32-bit arithmetic to 0).
  n.description!.resources.memoryBytes = 8 * 2 ** 30;
  change(n);
  return deepFreeze(n);
}

export function service(
  id: string,
  mode: ServiceMode = { kind: 'replicated', replicas: 1 },
  change: (s: Service) => void = () => undefined,
): Service {
  const s: Service = structuredClone({ ...newService(id, `svc-${id}`, mode), meta: meta() });
  change(s);
  return deepFreeze(s);
}

export interface TaskShape {
  readonly slot?: number;
  readonly nodeId?: string;
  readonly desired?: TaskState;
  readonly state?: TaskState;
  readonly image?: string;
  readonly iteration?: number;
  readonly change?: (t: Task) => void;
}

/** A task of `svc` made from its template unless `image` says otherwise. */
export function task(id: string, svc: Service, shape: TaskShape = {}): Task {
  const base = newTask(id, svc.id, shape.slot ?? 1, shape.nodeId, shape.desired ?? 'running');
  const t: Task = structuredClone({
    ...base,
    spec: shape.image === undefined ? svc.spec.taskTemplate : taskSpec(shape.image),
    meta: meta(),
    ...(shape.iteration === undefined ? {} : { jobIteration: shape.iteration }),
  });
  t.status.state = shape.state ?? 'running';
  shape.change?.(t);
  return deepFreeze(t);
}

// What a task asks of a node, worked out once per group of identical tasks: reservations,
// parsed constraints, platforms, max replicas per node, host-mode ports, spread preferences.

import type { Platform, Service, Task } from '../../api/objects/index.js';
import { ConstraintParseError, parseConstraints, type Constraint } from '../constraint/constraint.js';

export interface TaskRequirements {
  readonly serviceId: string;
  readonly nanoCPUs: number;
  readonly memoryBytes: number;
  /** Parsed constraints, or the parse error (then no node satisfies them). */
  readonly constraints: readonly Constraint[] | ConstraintParseError;
  readonly platforms: readonly Platform[];
  /** 0: unlimited. */
  readonly maxReplicas: number;
  /** Host-mode published ports, as "tcp/8080". */
  readonly hostPorts: readonly string[];
  /** Attributes to spread over, outermost first, e.g. ["node.labels.zone"]. */
  readonly spreadOver: readonly string[];
}

/** Host-mode published ports of a service ("tcp/8080"); dynamic (0) ports never conflict. */
export function hostPortsOf(service: Service | undefined): string[] {
  const ports = service?.endpoint?.ports ?? service?.spec.endpointSpec?.ports ?? [];
  const out: string[] = [];
  for (const p of ports) {
    if (p.publishMode === 'host' && p.publishedPort > 0) out.push(`${p.protocol}/${p.publishedPort}`);
  }
  return out;
}

export function requirementsOf(task: Task, service: Service | undefined): TaskRequirements {
  const reservations = task.spec.resources.reservations;
  let constraints: readonly Constraint[] | ConstraintParseError;
  try {
    constraints = parseConstraints(task.spec.placement.constraints);
  } catch (e: unknown) {
    if (!(e instanceof ConstraintParseError)) throw e;
    constraints = e;
  }
  return {
    serviceId: task.serviceId,
    nanoCPUs: reservations?.nanoCPUs ?? 0,
    memoryBytes: reservations?.memoryBytes ?? 0,
    constraints,
    platforms: task.spec.placement.platforms,
    maxReplicas: task.spec.placement.maxReplicas,
    hostPorts: hostPortsOf(service),
    spreadOver: task.spec.placement.preferences.map((p) => p.spread),
  };
}

// `insertDefaults=true` (docker service inspect): the spec with swarmkit's defaults filled
// in wherever the user left a value out (swarmkit's defaults.InterpolateService).

import type { DockerServiceSpec, DockerUpdateConfig } from '../../../api/docker/service-spec.js';

const SECOND_NS = 1_000_000_000;

const DEFAULT_UPDATE: Required<
  Pick<DockerUpdateConfig, 'Parallelism' | 'FailureAction' | 'Monitor' | 'MaxFailureRatio' | 'Order'>
> = {
  Parallelism: 1,
  FailureAction: 'pause',
  Monitor: 5 * SECOND_NS,
  MaxFailureRatio: 0,
  Order: 'stop-first',
};

function withUpdateDefaults(u: DockerUpdateConfig | undefined): DockerUpdateConfig {
  if (u === undefined) return { ...DEFAULT_UPDATE };
  return { ...u, Monitor: u.Monitor ?? DEFAULT_UPDATE.Monitor };
}

export function insertServiceDefaults(spec: DockerServiceSpec): DockerServiceSpec {
  const task = spec.TaskTemplate ?? {};
  const container = task.ContainerSpec ?? {};
  return {
    ...spec,
    TaskTemplate: {
      ...task,
      ContainerSpec: {
        ...container,
        StopGracePeriod: container.StopGracePeriod ?? 10 * SECOND_NS,
        DNSConfig: container.DNSConfig ?? {},
      },
      Resources: { Limits: {}, Reservations: {}, ...(task.Resources ?? {}) },
      RestartPolicy: {
        Condition: 'any',
        Delay: 5 * SECOND_NS,
        MaxAttempts: 0,
        ...(task.RestartPolicy ?? {}),
      },
      Placement: task.Placement ?? {},
    },
    UpdateConfig: withUpdateDefaults(spec.UpdateConfig),
    RollbackConfig: withUpdateDefaults(spec.RollbackConfig),
    EndpointSpec: { Mode: 'vip', ...(spec.EndpointSpec ?? {}) },
  };
}

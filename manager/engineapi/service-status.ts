// ServiceStatus for `GET /services?status=true` (what `docker service ls` shows as REPLICAS),
// computed as swarmkit's ListServiceStatuses does.

import type { ReadTx, Service } from '../store/index.js';
import type { DockerServiceStatus } from './translate/docker-types.js';

export function serviceStatus(tx: ReadTx, service: Service): DockerServiceStatus {
  const tasks = tx.find('tasks', 'serviceId', service.id);
  const mode = service.spec.mode;
  const iteration = service.jobStatus?.jobIteration;
  const current = tasks.filter(
    (t) => iteration === undefined || t.jobIteration === undefined || t.jobIteration === iteration,
  );
  let running = 0;
  for (const t of current) {
    if (t.status.state === 'running' && (t.desiredState === 'running' || t.desiredState === 'complete'))
      running++;
  }
  switch (mode.kind) {
    case 'replicated':
      return { RunningTasks: running, DesiredTasks: mode.replicas, CompletedTasks: 0 };
    case 'global':
      return {
        RunningTasks: running,
        DesiredTasks: current.filter((t) => t.desiredState === 'running').length,
        CompletedTasks: 0,
      };
    case 'replicatedJob': {
      const completed = current.filter((t) => t.status.state === 'complete').length;
      const remaining = Math.max(0, mode.totalCompletions - completed);
      return {
        RunningTasks: running,
        DesiredTasks: Math.min(mode.maxConcurrent, remaining),
        CompletedTasks: completed,
      };
    }
    case 'globalJob': {
      const completed = current.filter((t) => t.status.state === 'complete').length;
      const desired = current.filter(
        (t) => t.desiredState === 'complete' && t.status.state !== 'complete',
      ).length;
      return { RunningTasks: running, DesiredTasks: desired, CompletedTasks: completed };
    }
  }
}

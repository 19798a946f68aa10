// Which run of a job a task belongs to. The API bumps `jobStatus.jobIteration` each time a job is
// (re)started; tasks of earlier runs are stopped and never count towards the current one.

import type { Service, Task } from '../../../api/objects/index.js';

export function currentIteration(service: Service): number {
  return service.jobStatus?.jobIteration ?? 0;
}

export function iterationOf(task: Task): number {
  return task.jobIteration ?? 0;
}

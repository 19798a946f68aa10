// When a task's network resources can go: once it is meant to stop and has stopped (swarmkit's
// taskDead). Until then its addresses stay reserved, even while it shuts down.

import { taskStateRank, type Task } from '../../api/objects/index.js';

const RUNNING = taskStateRank('running');

export function isTaskDead(t: Pick<Task, 'desiredState' | 'status'>): boolean {
  return taskStateRank(t.desiredState) > RUNNING && taskStateRank(t.status.state) > RUNNING;
}

// How a task's container is named and labelled, as Swarm does it, so `docker ps` on a node
// looks familiar: `<service>.<slot>.<taskid>` (global services: `<service>.<nodeid>.<taskid>`),
// Docker's own `com.docker.swarm.*` labels, plus shoal's marker for containers it manages.

import type { Labels, Task } from './objects/index.js';

export const LABEL_MANAGED = 'io.shoal.managed';
export const LABEL_TASK = 'com.docker.swarm.task';
export const LABEL_TASK_ID = 'com.docker.swarm.task.id';
export const LABEL_TASK_NAME = 'com.docker.swarm.task.name';
export const LABEL_SERVICE_ID = 'com.docker.swarm.service.id';
export const LABEL_SERVICE_NAME = 'com.docker.swarm.service.name';
export const LABEL_NODE_ID = 'com.docker.swarm.node.id';

/** The task's name, which is also its container's name. */
export function taskName(task: Task): string {
  const service = task.serviceAnnotations.name === '' ? task.serviceId : task.serviceAnnotations.name;
  const middle = task.slot > 0 ? String(task.slot) : (task.nodeId ?? '');
  return `${service}.${middle}.${task.id}`;
}

/** Labels of the task's container: the spec's own, then the identity labels (which win). */
export function containerLabels(task: Task): Labels {
  return {
    ...task.spec.containerSpec.labels,
    [LABEL_TASK]: '',
    [LABEL_TASK_ID]: task.id,
    [LABEL_TASK_NAME]: taskName(task),
    [LABEL_SERVICE_ID]: task.serviceId,
    [LABEL_SERVICE_NAME]: task.serviceAnnotations.name,
    [LABEL_NODE_ID]: task.nodeId ?? '',
    [LABEL_MANAGED]: 'true',
  };
}

// Whether a task runs its service's current spec. Swarm compares the task's spec with the
// service's template (a version number alone cannot tell, since rollbacks return to an old
// spec). Store objects are frozen and shared, so each spec's canonical form is computed once.

import { canonicalJson } from '../store/canonical-json.js';
import type { Service, Task, TaskSpec } from '../../api/objects/index.js';

const keys = new WeakMap<object, string>();

/** Canonical JSON of a task spec, cached per (frozen) object. */
export function specKey(spec: TaskSpec): string {
  let key = keys.get(spec);
  if (key === undefined) {
    key = canonicalJson(spec);
    if (Object.isFrozen(spec)) keys.set(spec, key);
  }
  return key;
}

/** True when the task was made from a spec other than the service's current template. */
export function isTaskDirty(service: Service, task: Task): boolean {
  if (task.spec === service.spec.taskTemplate) return false;
  return specKey(task.spec) !== specKey(service.spec.taskTemplate);
}

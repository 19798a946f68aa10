// The service's `UpdateStatus` through a rolling update and rollback, as `docker service inspect`
// shows it, pure: each function returns the changed service.

import type { Service, UpdateStatus } from '../../../api/objects/index.js';

export function startUpdate(service: Service, now: string): Service {
  return { ...service, updateStatus: { state: 'updating', startedAt: now, message: 'update in progress' } };
}

export function completeUpdate(service: Service, now: string): Service {
  const rollback = service.updateStatus?.state === 'rollback_started';
  const updateStatus: UpdateStatus = {
    ...(service.updateStatus?.startedAt === undefined ? {} : { startedAt: service.updateStatus.startedAt }),
    state: rollback ? 'rollback_completed' : 'completed',
    message: rollback ? 'rollback completed' : 'update completed',
    completedAt: now,
  };
  return { ...service, updateStatus };
}

export function pauseUpdate(service: Service, taskId: string, now: string): Service {
  const rollback = service.updateStatus?.state === 'rollback_started';
  const updateStatus: UpdateStatus = {
    ...(service.updateStatus?.startedAt === undefined
      ? { startedAt: now }
      : { startedAt: service.updateStatus.startedAt }),
    state: rollback ? 'rollback_paused' : 'paused',
    message: `${rollback ? 'rollback' : 'update'} paused due to failure or early termination of task ${taskId}`,
  };
  return { ...service, updateStatus };
}

/**
 * Rolls the service back to its previous spec, as Swarm does on failureAction=rollback: the
 * spec becomes previousSpec and the update status 'rollback_started'. Without a previous spec
 * the update is paused instead.
 */
export function rollBack(service: Service, taskId: string, now: string): Service {
  const previous = service.previousSpec;
  if (previous === undefined) {
    const paused = pauseUpdate(service, taskId, now);
    return {
      ...paused,
      updateStatus: {
        ...paused.updateStatus!,
        message: `${paused.updateStatus!.message}; no previous spec to roll back to`,
      },
    };
  }
  const rest: Service = { ...service };
  delete rest.previousSpec;
  return {
    ...rest,
    spec: previous,
    specVersion: service.meta.version,
    updateStatus: {
      state: 'rollback_started',
      startedAt: now,
      message: `update rolled back due to failure or early termination of task ${taskId}`,
    },
  };
}

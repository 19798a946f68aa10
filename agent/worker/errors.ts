// Typed errors of the worker.

export type WorkerErrorCode = 'TASK_NOT_FOUND' | 'WORKER_CLOSED' | 'WORKER_DB_CORRUPT' | 'STATE_REGRESSION';

export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  constructor(code: WorkerErrorCode, message: string) {
    super(message);
    this.name = 'WorkerError';
    this.code = code;
  }
}

/** The task is not assigned to this node (or was removed from it). */
export class TaskNotFoundError extends WorkerError {
  readonly taskId: string;
  constructor(taskId: string) {
    super('TASK_NOT_FOUND', `task ${taskId} is not assigned to this node`);
    this.name = 'TaskNotFoundError';
    this.taskId = taskId;
  }
}

export class WorkerClosedError extends WorkerError {
  constructor() {
    super('WORKER_CLOSED', 'the worker is closed (the agent is shutting down)');
    this.name = 'WorkerClosedError';
  }
}

/** The worker's local database holds a record it cannot read: remove the data dir's worker/ folder. */
export class WorkerDbCorruptError extends WorkerError {
  readonly key: string;
  constructor(path: string, key: string, why: string) {
    super(
      'WORKER_DB_CORRUPT',
      `worker database ${path}: record ${key} is unreadable (${why}); remove ${path} to start afresh`,
    );
    this.name = 'WorkerDbCorruptError';
    this.key = key;
  }
}

/** A broken invariant: something tried to move a task's state backwards. */
export class StateRegressionError extends WorkerError {
  constructor(taskId: string, from: string, to: string) {
    super('STATE_REGRESSION', `task ${taskId}: refusing to move its state back from ${from} to ${to}`);
    this.name = 'StateRegressionError';
  }
}

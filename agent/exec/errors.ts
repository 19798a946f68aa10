// Typed errors of executors and controllers. Each has a stable `code` the worker switches on
// and a message fit for `docker service ps` (the engine's own words where it gave any).

export type ExecErrorCode =
  | 'IMAGE_NOT_FOUND'
  | 'IMAGE_PULL_FAILED'
  | 'IMAGE_PULL_TIMEOUT'
  | 'CONTAINER_NOT_FOUND'
  | 'CONTAINER_EXITED'
  | 'CONTAINER_UNHEALTHY'
  | 'INVALID_TASK_SPEC'
  | 'ENGINE_UNAVAILABLE'
  | 'ENGINE_ERROR'
  | 'DEPENDENCY_MISSING'
  | 'SECRET_MOUNT_FAILED'
  | 'ABORTED';

export class ExecError extends Error {
  readonly code: ExecErrorCode;
  constructor(code: ExecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExecError';
    this.code = code;
  }
}

/** The image could not be pulled (the engine's message says why). */
export class ImagePullError extends ExecError {
  readonly image: string;
  /** What the engine said, verbatim. */
  readonly engineMessage: string;
  constructor(image: string, engineMessage: string, code: ExecErrorCode = 'IMAGE_PULL_FAILED') {
    super(code, engineMessage);
    this.name = 'ImagePullError';
    this.image = image;
    this.engineMessage = engineMessage;
  }
}

/** The registry has no such image (or refuses to say without credentials). */
export class ImageNotFoundError extends ImagePullError {
  constructor(image: string, engineMessage: string) {
    super(image, engineMessage, 'IMAGE_NOT_FOUND');
    this.name = 'ImageNotFoundError';
  }
}

/** The pull made no progress to completion within the executor's pull timeout. */
export class ImagePullTimeoutError extends ImagePullError {
  readonly timeoutMs: number;
  constructor(image: string, timeoutMs: number, lastProgress: string) {
    const progress = lastProgress === '' ? '' : ` (last progress: ${lastProgress})`;
    super(
      image,
      `pulling image ${image} did not finish within ${timeoutMs} ms${progress}; check that the engine can reach its registry`,
      'IMAGE_PULL_TIMEOUT',
    );
    this.name = 'ImagePullTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

export class ContainerNotFoundError extends ExecError {
  /** Container name or ID looked for. */
  readonly container: string;
  constructor(container: string) {
    super(
      'CONTAINER_NOT_FOUND',
      `container ${container} not found on the engine (was it removed behind the agent's back?)`,
    );
    this.name = 'ContainerNotFoundError';
    this.container = container;
  }
}

/** A task's process exited with a non-zero code (Swarm's "task: non-zero exit (N)"). */
export class ContainerExitedError extends ExecError {
  readonly exitCode: number;
  constructor(exitCode: number, detail?: string) {
    super(
      'CONTAINER_EXITED',
      `task: non-zero exit (${exitCode})${detail === undefined ? '' : `: ${detail}`}`,
    );
    this.name = 'ContainerExitedError';
    this.exitCode = exitCode;
  }
}

export class ContainerUnhealthyError extends ExecError {
  constructor(detail: string) {
    super('CONTAINER_UNHEALTHY', `task: container unhealthy${detail === '' ? '' : `: ${detail}`}`);
    this.name = 'ContainerUnhealthyError';
  }
}

/** The task's spec cannot be turned into a container (names the offending field). */
export class InvalidTaskSpecError extends ExecError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('INVALID_TASK_SPEC', `invalid task spec: ${field}: ${message}`);
    this.name = 'InvalidTaskSpecError';
    this.field = field;
  }
}

/** The engine's API socket does not answer. */
export class EngineUnavailableError extends ExecError {
  readonly endpoint: string;
  constructor(endpoint: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'ENGINE_UNAVAILABLE',
      `cannot reach the container engine at ${endpoint}: ${why}; is dockerd running?`,
      {
        cause,
      },
    );
    this.name = 'EngineUnavailableError';
    this.endpoint = endpoint;
  }
}

/** The engine refused an operation; the message is the engine's. */
export class EngineError extends ExecError {
  /** HTTP status of the engine's answer (0 when it did not answer with one). */
  readonly statusCode: number;
  constructor(operation: string, statusCode: number, engineMessage: string) {
    super('ENGINE_ERROR', `${operation}: ${engineMessage}`);
    this.name = 'EngineError';
    this.statusCode = statusCode;
  }
}

/** A step was cut short by its AbortSignal (a shutdown arrived while it ran). */
export class AbortedError extends ExecError {
  constructor(step: string) {
    super('ABORTED', `${step} aborted`);
    this.name = 'AbortedError';
  }
}

/** A task references a secret or config this node was not given (the task is rejected). */
export class DependencyMissingError extends ExecError {
  readonly kind: 'secret' | 'config';
  readonly id: string;
  constructor(kind: 'secret' | 'config', name: string, id: string) {
    super(
      'DEPENDENCY_MISSING',
      `${kind} ${name} (${id}) is not available on this node; the managers did not send it with the task`,
    );
    this.name = 'DependencyMissingError';
    this.kind = kind;
    this.id = id;
  }
}

/** The node could not make or remove the in-memory filesystem that holds a task's secrets. */
export class SecretMountError extends ExecError {
  constructor(operation: string, detail: string) {
    super('SECRET_MOUNT_FAILED', `${operation}: ${detail}`);
    this.name = 'SecretMountError';
  }
}

// Errors the daemon client raises. Each has a stable `code`; the CLI prints `message` as is.

/** The daemon answered with an error status; `message` is Docker's "Error response from daemon: …". */
export class DaemonError extends Error {
  readonly code = 'DAEMON_ERROR';
  /** The daemon's own message, without the "Error response from daemon: " prefix. */
  readonly detail: string;
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`Error response from daemon: ${detail}`);
    this.name = 'DaemonError';
    this.detail = detail;
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/** The daemon's socket could not be reached at all. */
export class DaemonUnreachableError extends Error {
  readonly code = 'DAEMON_UNREACHABLE';
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`Cannot connect to the shoal daemon at ${host}. Is the shoal daemon running?`);
    this.name = 'DaemonUnreachableError';
  }
}

/** `-H`, SHOAL_HOST or DOCKER_HOST does not name an address the CLI can use. */
export class InvalidHostError extends Error {
  readonly code = 'INVALID_HOST';
  constructor(readonly host: string) {
    super(`invalid host "${host}": use unix:///path/to/socket or tcp://HOST:PORT`);
    this.name = 'InvalidHostError';
  }
}

/** The daemon answered 2xx with a body that is not the JSON the API promises. */
export class MalformedResponseError extends Error {
  readonly code = 'MALFORMED_RESPONSE';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`unexpected response from daemon for ${path}: ${reason}`);
    this.name = 'MalformedResponseError';
  }
}

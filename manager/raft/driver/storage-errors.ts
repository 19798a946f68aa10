// Typed errors of the durable Raft storage. Opening refuses a damaged or busy directory with one
// of these instead of serving a log that might be silently wrong; a write that fails stops the
// storage for good (fail-stop) with StorageFailedError.

import { RaftError } from '../errors.js';

/**
 * What an operator can do about a raft store this manager refuses to start from. shoald exits
 * on such a store (a restart cannot mend it), so the remedy is said in files, not API calls.
 */
export function storageRemedy(path: string): string {
  return (
    `to recover, restore its data root (holding ${path}) from a backup; or, if the swarm has ` +
    `other managers, remove this node from it (\`shoal node demote\` then \`shoal node rm --force\` ` +
    `on a healthy manager), clear this node's swarm state (delete the \`swarm\` folder of shoald's ` +
    `data root, what \`shoal swarm leave --force\` removes), start shoald and join it again ` +
    `(\`shoal swarm join\`)`
  );
}

/** What is on disk is not a consistent Raft log: a node must not start from it. */
export class StorageCorruptError extends RaftError {
  readonly path: string;
  readonly detail: string;
  constructor(path: string, detail: string, code = 'STORAGE_CORRUPT', what = 'is corrupt') {
    super(code, `raft storage at ${path} ${what}: ${detail}; ${storageRemedy(path)}`);
    this.name = 'StorageCorruptError';
    this.path = path;
    this.detail = detail;
  }
}

/**
 * The log no longer holds everything this manager acknowledged as persisted (its durable
 * watermark records more than LevelDB gave back): a torn or damaged log tail, a lost file.
 * Starting from it would silently lose acknowledged writes, or let this manager vote or lead
 * with a log shorter than it promised, so it is refused.
 */
export class StorageWritesLostError extends StorageCorruptError {
  /** The watermark file that records what was acknowledged. */
  readonly watermark: string;
  constructor(path: string, watermark: string, detail: string) {
    super(path, detail, 'STORAGE_WRITES_LOST', 'has lost writes it acknowledged');
    this.name = 'StorageWritesLostError';
    this.watermark = watermark;
  }
}

/**
 * The store is encrypted, but its data encryption key file is missing or unusable (damaged, or
 * protected in a way this build cannot undo): nothing in it can be read, so it is refused.
 */
export class StorageKeyError extends StorageCorruptError {
  /** The data encryption key file. */
  readonly keyFile: string;
  constructor(path: string, keyFile: string, detail: string) {
    super(path, detail, 'STORAGE_KEY', 'cannot be decrypted');
    this.name = 'StorageKeyError';
    this.keyFile = keyFile;
  }
}

/** Another process (or another handle in this one) has the directory open. */
export class StorageLockedError extends RaftError {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(
      'STORAGE_LOCKED',
      `raft storage at ${path} is already in use by another process or handle (is another shoald running with this data directory?)`,
    );
    this.name = 'StorageLockedError';
    this.path = path;
    this.cause = cause;
  }
}

/**
 * A write to the raft storage failed (disk full, I/O error). LevelDB keeps the error for good
 * and retrying an fsync after a failure is unsafe, so the storage refuses everything after it:
 * the process must restart (the service manager does that) and reload the log from disk.
 */
export class StorageFailedError extends RaftError {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('STORAGE_FAILED', `raft storage at ${path} failed to write: ${reason}`);
    this.name = 'StorageFailedError';
    this.path = path;
    this.cause = cause;
  }
}

// Typed errors of the durable Raft storage. Opening refuses a damaged or busy directory with one
// of these instead of serving a log that might be silently wrong.

import { RaftError } from '../errors.js';

/** What is on disk is not a consistent Raft log: a node must not start from it. */
export class StorageCorruptError extends RaftError {
  readonly path: string;
  readonly detail: string;
  constructor(path: string, detail: string) {
    super('STORAGE_CORRUPT', `raft storage at ${path} is corrupt: ${detail}`);
    this.name = 'StorageCorruptError';
    this.path = path;
    this.detail = detail;
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

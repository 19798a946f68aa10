// Which failures to rejoin the swarm at start mean shoald must not run at all. A raft store that
// is damaged or lost acknowledged writes must never serve (a restart cannot mend it: exit code
// 78, EX_CONFIG, which the systemd unit does not restart); a disk that fails writes (full,
// read-only, I/O errors) leaves no manager to serve either, and staying up without one would be
// half-alive, so shoald exits non-zero and the service manager starts it again until the disk
// takes writes. Anything else (a manager unreachable, a bad certificate) keeps the API up so
// `shoal info` shows the error and `swarm leave` can reset the node.

import { StorageCorruptError, StorageFailedError } from '../manager/raft/driver/storage-errors.js';

/** Exit status for a store shoald refuses to start from (sysexits' EX_CONFIG). */
export const EXIT_STORE_REFUSED = 78;
/** Exit status for a disk that failed a write: the service manager restarts shoald. */
export const EXIT_STORAGE_FAILED = 1;

const DISK_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);
// LevelDB reports its I/O failures as text ("IO error: <file>: No space left on device"), with no
// errno: the strerror texts of the same four.
const DISK_TEXT = /No space left on device|Disk quota exceeded|Input\/output error|Read-only file system/;

/** shoald cannot start: the message says why and what to do; exitCode tells systemd whether to retry. */
export class StartRefusedError extends Error {
  readonly code = 'START_REFUSED';
  readonly exitCode: number;
  constructor(message: string, exitCode: number, cause: unknown) {
    super(message);
    this.name = 'StartRefusedError';
    this.exitCode = exitCode;
    this.cause = cause;
  }
}

function* causes(e: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  for (let c = e; c !== undefined && c !== null && !seen.has(c) && seen.size < 16;) {
    seen.add(c);
    yield c;
    c = c instanceof Error ? c.cause : undefined;
  }
}

function errnoOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = e.code;
  return typeof code === 'string' ? code : undefined;
}

/** The refusal a failure to resume the swarm amounts to, or undefined when shoald may run on. */
export function startupStorageFault(e: unknown, swarmDir?: string): StartRefusedError | undefined {
  for (const c of causes(e)) {
    if (c instanceof StorageCorruptError) {
      const here = swarmDir === undefined ? '' : ` (here: rm -rf ${swarmDir})`;
      return new StartRefusedError(`refusing to start: ${c.message}${here}`, EXIT_STORE_REFUSED, e);
    }
  }
  for (const c of causes(e)) {
    const errno = errnoOf(c);
    const text = c instanceof Error ? c.message : '';
    if (
      c instanceof StorageFailedError ||
      (errno !== undefined && DISK_ERRNOS.has(errno)) ||
      DISK_TEXT.test(text)
    ) {
      const what = c instanceof Error ? c.message : String(c);
      return new StartRefusedError(
        `cannot start the manager, its disk fails writes (${what}): exiting so the service manager ` +
          `restarts shoald once the disk takes writes again (free space under the data root)`,
        EXIT_STORAGE_FAILED,
        e,
      );
    }
  }
  return undefined;
}

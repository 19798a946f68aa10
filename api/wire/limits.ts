// What one assignments message may hold, shared by the dispatcher (which never sends more) and
// the agent (which never accepts more). An object over its limit is left out and reported by
// the dispatcher, skipped and reported by the agent; a set larger than one message travels in
// several (`more`), which the agent applies as one change.

/** Largest task, secret or config (Docker caps secrets at 500 KB, base64 grows it by a third). */
export const MAX_OBJECT_BYTES = 2 * 1024 * 1024;
/** Largest network view (or update of one) a node accepts. */
export const MAX_VIEW_BYTES = 16 * 1024 * 1024;
/** Bytes of tasks, secrets, configs and removed IDs the dispatcher puts in one message. */
export const MAX_MESSAGE_OBJECT_BYTES = 16 * 1024 * 1024;
/** Entries (tasks, removed IDs, secrets, configs together) in one message. */
export const MAX_MESSAGE_ENTRIES = 50_000;
/** Largest gRPC message an agent receives: a view and a message's objects, with room for framing. */
export const MAX_ASSIGNMENTS_MESSAGE_BYTES = MAX_VIEW_BYTES + MAX_MESSAGE_OBJECT_BYTES + 1024 * 1024;
/** Entries of one change, over all the messages (`more`) it came in. */
export const MAX_CHANGE_ENTRIES = 500_000;
/** Messages one change may span. */
export const MAX_CHANGE_PARTS = 4096;
/** Bytes of objects of one change, over all its messages. */
export const MAX_CHANGE_BYTES = 1024 * 1024 * 1024;

/** Bytes as a person reads them: "2.5 MB", "2 MiB" for the limits. */
export function humanBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)} MB`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)} kB`;
  return `${n} bytes`;
}

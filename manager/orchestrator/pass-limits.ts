// How much one reconcile pass may do for one service. An orchestrator plans in bounded batches
// and comes back for the rest on its next pass, so the work and memory of a pass never grow with
// a number taken from a spec (a service asking for a billion replicas creates tasks a batch at a
// time, the other services are served between its batches, and deleting or scaling it down stops
// it at its next pass).

/** Most tasks one pass creates (or removes) for one service. */
export const MAX_TASK_CHANGES_PER_SERVICE = 200;

/** A plan cut to `limit` entries, and whether anything was left for a later pass. */
export function capped<T>(items: T[], limit: number): { readonly items: T[]; readonly more: boolean } {
  if (items.length <= limit) return { items, more: false };
  return { items: items.slice(0, limit), more: true };
}

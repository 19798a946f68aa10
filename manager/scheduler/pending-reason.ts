// Why a pending task waits, as one of a few fixed categories (for the pending-tasks metric):
// the scheduler writes Docker's free text in `status.err` ("no suitable node (insufficient
// resources on 2 nodes; …)"), whose counts and order vary, so a label taken from it would
// have unbounded values. The category is that of the first reason (the one most nodes failed
// for), recognised by asking each filter for its own wording: a filter whose wording changes
// keeps its category, and a new filter must be given one (a unit test checks every filter).

import type { Filter } from './filter.js';
import { DEFAULT_FILTERS, noSuitableNode } from './pipeline.js';

export const PENDING_REASONS = [
  /** Pending with no reason recorded: the scheduler has not tried it yet. */
  'none',
  /** No node at all (or the node a global task is bound to is gone). */
  'no_suitable_node',
  /** Nodes down, drained or paused. */
  'unavailable',
  'resources',
  'constraints',
  'platform',
  'ports',
  'max_replicas',
  /** Anything else (placing threw, an unknown wording). */
  'other',
] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];

/** Each filter's category, by the filter's name. */
const BY_FILTER: Readonly<Record<string, PendingReason>> = {
  ready: 'unavailable',
  availability: 'unavailable',
  resources: 'resources',
  constraints: 'constraints',
  platform: 'platform',
  'host-ports': 'ports',
  'max-replicas': 'max_replicas',
};

const PREFIX = 'no suitable node (';
const BARE = new Set([noSuitableNode(''), noSuitableNode('node not found')]);
/** Longest reason text looked at: a task's err is bounded, but the metric never needs more. */
const MAX_REASON = 4096;

/** The category of a pending task's `status.err` (see the top of this file). */
export function pendingReason(
  err: string | undefined,
  filters: readonly Filter[] = DEFAULT_FILTERS,
): PendingReason {
  if (err === undefined || err === '') return 'none';
  if (BARE.has(err)) return 'no_suitable_node';
  if (!err.startsWith(PREFIX) || !err.endsWith(')') || err.length > MAX_REASON) return 'other';
  const inner = err.slice(PREFIX.length, -1);
  const cut = inner.indexOf('; ');
  const first = cut === -1 ? inner : inner.slice(0, cut);
  const count = /(\d+) nodes?\b/.exec(first);
  const nodes = count === null ? 1 : Number(count[1]);
  for (const f of filters) {
    if (f.explain(nodes) === first) return filterCategory(f);
  }
  return 'other';
}

/** The category given to pending tasks failing `filter` (for the test that every filter has one). */
export function filterCategory(filter: Filter): PendingReason {
  return BY_FILTER[filter.name] ?? 'other';
}

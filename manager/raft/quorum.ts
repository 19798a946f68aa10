// Majority arithmetic: the committed index of a voter set and the result of an election.

import type { RaftId } from './types.js';

export const VoteResult = {
  Pending: 'pending',
  Won: 'won',
  Lost: 'lost',
} as const;
export type VoteResult = (typeof VoteResult)[keyof typeof VoteResult];

/**
 * The largest index acknowledged by a majority of `voters`, given each voter's match index.
 * An empty voter set commits everything (Infinity), which callers never reach in practice.
 */
export function committedIndex(
  voters: ReadonlySet<RaftId>,
  matchOf: (id: RaftId) => number | undefined,
): number {
  const n = voters.size;
  if (n === 0) return Number.MAX_SAFE_INTEGER;
  const acked: number[] = [];
  for (const id of voters) acked.push(matchOf(id) ?? 0);
  acked.sort((a, b) => b - a);
  // The (n/2+1)-th highest is held by a majority.
  return acked[Math.floor(n / 2)]!;
}

/** Outcome of an election among `voters`, given the votes received so far. */
export function voteResult(voters: ReadonlySet<RaftId>, votes: ReadonlyMap<RaftId, boolean>): VoteResult {
  if (voters.size === 0) return VoteResult.Won;
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const q = Math.floor(voters.size / 2) + 1;
  if (granted >= q) return VoteResult.Won;
  if (granted + missing >= q) return VoteResult.Pending;
  return VoteResult.Lost;
}

/** Whether the members for which `active` holds form a majority of `voters`. */
export function hasQuorum(voters: ReadonlySet<RaftId>, active: (id: RaftId) => boolean): boolean {
  if (voters.size === 0) return true; // as voteResult: an empty configuration is trivially satisfied
  let n = 0;
  for (const id of voters) if (active(id)) n++;
  return n >= Math.floor(voters.size / 2) + 1;
}

// What stepping a request into the Raft core gives back. A proposal (or a read request) the
// core cannot take right now is dropped: that is an ordinary outcome, returned as a value the
// caller may retry, never thrown. Only a broken invariant is thrown (RaftInvariantError).

/** Why a request was dropped; callers that retry switch on it. */
export type DropKind =
  /** No leader is known (an election may be in progress). */
  | 'no-leader'
  /** This leader is handing leadership over and takes no proposals meanwhile. */
  | 'transferring'
  /** This member was removed from the configuration. */
  | 'removed'
  /** A configuration change is still to be applied: one at a time. */
  | 'conf-change-pending'
  /** One batch proposed two configuration changes. */
  | 'conf-changes-batched'
  /** A peer sent a message of a type that only the local member may step (RawNode.step). */
  | 'local-message';

/** The request took effect (appended, forwarded or queued). */
export interface Accepted {
  readonly ok: true;
}

/** The request was dropped before it changed anything; `reason` says why, for a person. */
export interface Dropped {
  readonly ok: false;
  readonly kind: DropKind;
  readonly reason: string;
}

export type StepResult = Accepted | Dropped;

export const ACCEPTED: Accepted = Object.freeze({ ok: true });

export function dropped(kind: DropKind, reason: string): Dropped {
  return { ok: false, kind, reason };
}

// Binds a Raft stream's caller to the Raft member it speaks as. Every Raft message names its
// sender (`from`), and Raft believes it: a vote counts for `from`, an append response moves
// `from`'s progress, a snapshot header makes `from` the leader. So a manager certificate may only
// send messages as its own Raft member, never as another member of the group or as us.
//
// Which Raft ID is the caller's? Raft IDs are random (swarm-node picks one per join) and the
// Raft configuration maps them to addresses only; the node ID ↔ Raft ID binding is the store's
// Node.managerStatus.raftId, written by the leader right after the member's AddLearner entry
// commits. A follower's store may lag that: a manager that joined moments ago may have no record
// here yet, and a manager catching up from an empty store knows nobody. So the decision uses only
// what a lagging store still proves, and refuses a message when:
//  - it claims to come from this member itself (no peer ever legitimately does);
//  - the store records `from` as another node's Raft ID (Raft IDs are never shared or reused:
//    whatever the store's age, that ID belonged to someone else);
//  - the store records `from` as the caller's Raft ID but it is out of the configuration (the
//    member was removed, e.g. left behind by `swarm init --force-new-cluster`: a removed member
//    never comes back, and the store records a member only after its AddLearner applied here);
//  - the store records the caller as a different Raft member that is still in the Raft
//    configuration (its current ID: a node has one Raft ID at a time, and a re-promoted node's
//    old ID leaves the configuration before it joins again with a new one).
// When the store knows neither side (a member that joined moments ago, or a lagging store) the
// message is heard: refusing it would stop a new member from ever catching up or a lagging
// manager from hearing the leader, and the only IDs it could claim are ones no recorded member
// has. The transport also pins each stream to the first sender it heard (one peer, one stream,
// one sender), so a caller cannot alternate identities on one stream.
//
// Every message a member sends names itself as `from` (raft.ts send), with one exception:
// TransferLeader names the transferee. shoal only asks for a transfer on the leader itself
// (role-manager, swarm leave), so none crosses the wire; one forwarded by a follower would be
// dropped here.

/** What the cluster's state says about Raft IDs (a local, possibly lagging, view). */
export interface RaftIdentities {
  /** The Raft member ID the store records for a node (Node.managerStatus.raftId), if any. */
  recordedRaftId(nodeId: string): number | undefined;
  /** The node the store records as Raft member `raftId`, if any. */
  nodeOfRaftId(raftId: number): string | undefined;
  /** Whether a Raft member ID is in the current configuration (voter or learner). */
  isRaftMember(raftId: number): boolean;
}

/**
 * Why node `callerNodeId` may not send a Raft message as member `from` to member `self`, or
 * undefined when it may (see the rules above).
 */
export function raftSenderRefusal(
  callerNodeId: string,
  from: number,
  self: number,
  ids: RaftIdentities,
): string | undefined {
  if (from === self) return `node ${callerNodeId} sent a Raft message as this member (${self})`;
  const owner = ids.nodeOfRaftId(from);
  if (owner !== undefined && owner !== callerNodeId) {
    return `node ${callerNodeId} sent a Raft message as member ${from}, which is node ${owner}`;
  }
  if (owner !== undefined && !ids.isRaftMember(from)) {
    return `node ${callerNodeId} sent a Raft message as member ${from}, which is no longer in the Raft group`;
  }
  const own = ids.recordedRaftId(callerNodeId);
  if (own !== undefined && own !== from && ids.isRaftMember(own)) {
    return `node ${callerNodeId} sent a Raft message as member ${from}, but it is member ${own}`;
  }
  return undefined;
}

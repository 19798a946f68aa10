// The role a Raft transport plays for a RaftNode: carry messages to peers by Raft ID, hand
// received ones to the node, and report peers that could not be reached and snapshot outcomes.

import type { Message, RaftId } from '../types.js';

export interface TransportHandler {
  /** A message arrived from a peer (already decoded and validated). */
  receive(m: Message): void;
  /** Messages to `id` could not be delivered. */
  reportUnreachable(id: RaftId): void;
  /** A snapshot sent to `id` was delivered (`ok`) or failed. */
  reportSnapshot(id: RaftId, ok: boolean): void;
}

export interface Transport {
  /** Starts delivering received messages to `handler`. */
  start(handler: TransportHandler): void;
  /** Queues messages for sending; never blocks, never throws for an unreachable peer. */
  send(messages: readonly Message[]): void;
  addPeer(id: RaftId, address: string): void;
  removePeer(id: RaftId): void;
  /** Known peer addresses. */
  peers(): ReadonlyMap<RaftId, string>;
  close(): Promise<void>;
}

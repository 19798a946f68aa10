// What a RaftNode is built from, and what it tells leadership listeners.

import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../api/clock/clock.js';
import type { Logger } from 'pino';
import type { StateMachine } from '../../state-machine.js';
import { SeededRandom, type RandomSource } from '../random.js';
import type { RaftConfig } from '../raft.js';
import type { RaftId, StateRole } from '../types.js';
import type { LevelStorage } from './level-storage.js';
import type { Transport } from './transport.js';

export interface RaftNodeOptions {
  readonly id: RaftId;
  /** This member's Raft address as peers reach it (host:port). */
  readonly address: string;
  readonly storage: LevelStorage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine;
  readonly logger: Logger;
  /** Start a new cluster with these members (ID → address), if the storage is empty. */
  readonly bootstrap?: ReadonlyMap<RaftId, string>;
  /**
   * Joining an existing cluster with empty storage: the current members (ID → address), so this
   * member can answer the leader before it has received the membership in a snapshot.
   */
  readonly join?: ReadonlyMap<RaftId, string>;
  readonly tickMs?: number;
  readonly electionTick?: number;
  readonly heartbeatTick?: number;
  /** Take a snapshot and compact every this many applied entries. */
  readonly snapshotEvery?: number;
  /** ...or once the entries applied since the last snapshot hold this many bytes. */
  readonly snapshotBytes?: number;
  /** Entries kept behind a snapshot so slightly lagging followers catch up from the log. */
  readonly keepAfterSnapshot?: number;
  readonly requestTimeoutMs?: number;
  readonly maxPendingProposals?: number;
  /** The leader promotes caught-up learners to voters by itself (default true). */
  readonly autoPromoteLearners?: boolean;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

export interface LeadershipChange {
  readonly lead: RaftId;
  readonly role: StateRole;
  readonly term: number;
}

/** The Raft core's configuration for a node built from `o`, resuming at `applied`. */
export function rawNodeConfig(o: RaftNodeOptions, applied: number, log: Logger): RaftConfig {
  return {
    id: o.id,
    electionTick: o.electionTick ?? 10,
    heartbeatTick: o.heartbeatTick ?? 1,
    storage: o.storage.memory,
    random: o.random ?? new SeededRandom(randomBytes(4).readUInt32BE(0)),
    applied,
    checkQuorum: true,
    preVote: true,
    maxSizePerMsg: 1024 * 1024,
    maxInflightMsgs: 256,
    logger: {
      debug: (m) => log.debug(m),
      info: (m) => log.info(m),
      warn: (m) => log.warn(m),
    },
  };
}

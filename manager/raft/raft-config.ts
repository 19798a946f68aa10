// How a Raft member is configured, and where it logs.

import type { RandomSource } from './random.js';
import type { RaftId } from './types.js';
import type { Storage } from './storage.js';

export interface RaftConfig {
  readonly id: RaftId;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). */
  readonly electionTick: number;
  /** Ticks between leader heartbeats; must be less than electionTick. */
  readonly heartbeatTick: number;
  readonly storage: Storage;
  readonly random: RandomSource;
  /** Last index the application applied (on restart). */
  readonly applied?: number;
  /** Max bytes of entries per append message. */
  readonly maxSizePerMsg?: number;
  /** Max bytes of committed entries handed out per Ready. */
  readonly maxCommittedSizePerReady?: number;
  /** Max append messages in flight to one follower (pipelining window). */
  readonly maxInflightMsgs?: number;
  readonly checkQuorum?: boolean;
  readonly preVote?: boolean;
  readonly logger?: RaftLogger;
}

export interface RaftLogger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

export const SILENT: RaftLogger = { debug: () => {}, info: () => {}, warn: () => {} };

// The vocabulary of the Raft core: log entries, messages, persistent state and the Ready batch.
// Plain data only; the protobuf mapping for the wire lives in the transport.

/** A member's Raft ID. 0 means "none". Positive safe integers only. */
export type RaftId = number;
export const NONE: RaftId = 0;

export const EntryType = {
  Normal: 0,
  ConfChange: 1,
} as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

export const ConfChangeType = {
  AddNode: 0,
  RemoveNode: 1,
  AddLearner: 2,
} as const;
export type ConfChangeType = (typeof ConfChangeType)[keyof typeof ConfChangeType];

/** One membership change. Applied one at a time (single-server changes, Raft thesis §4.1). */
export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: RaftId;
  /** Opaque to Raft: the application puts e.g. the member's address here. */
  readonly context: Uint8Array;
}

export interface ConfState {
  readonly voters: readonly RaftId[];
  readonly learners: readonly RaftId[];
}

export interface HardState {
  readonly term: number;
  readonly vote: RaftId;
  readonly commit: number;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: NONE, commit: 0 };

export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

export const MessageType = {
  /** Local: start an election. */
  Hup: 0,
  /** Local: leader sends heartbeats. */
  Beat: 1,
  /** Propose entries (local, or forwarded by a follower to its leader). */
  Prop: 2,
  App: 3,
  AppResp: 4,
  Vote: 5,
  VoteResp: 6,
  PreVote: 7,
  PreVoteResp: 8,
  Snap: 9,
  Heartbeat: 10,
  HeartbeatResp: 11,
  /** Local: the transport could not reach `from`. */
  Unreachable: 12,
  /** Local: the transport reports whether sending a snapshot to `from` worked (`reject` = failed). */
  SnapStatus: 13,
  /** Local: leader checks it still hears from a quorum. */
  CheckQuorum: 14,
  TransferLeader: 15,
  TimeoutNow: 16,
  ReadIndex: 17,
  ReadIndexResp: 18,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const MESSAGE_TYPE_NAMES: Readonly<Record<MessageType, string>> = {
  0: 'Hup',
  1: 'Beat',
  2: 'Prop',
  3: 'App',
  4: 'AppResp',
  5: 'Vote',
  6: 'VoteResp',
  7: 'PreVote',
  8: 'PreVoteResp',
  9: 'Snap',
  10: 'Heartbeat',
  11: 'HeartbeatResp',
  12: 'Unreachable',
  13: 'SnapStatus',
  14: 'CheckQuorum',
  15: 'TransferLeader',
  16: 'TimeoutNow',
  17: 'ReadIndex',
  18: 'ReadIndexResp',
};

/** Message types that never leave the node. */
export function isLocalMessage(t: MessageType): boolean {
  return (
    t === MessageType.Hup ||
    t === MessageType.Beat ||
    t === MessageType.Unreachable ||
    t === MessageType.SnapStatus ||
    t === MessageType.CheckQuorum
  );
}

export function isResponseMessage(t: MessageType): boolean {
  return (
    t === MessageType.AppResp ||
    t === MessageType.VoteResp ||
    t === MessageType.HeartbeatResp ||
    t === MessageType.Unreachable ||
    t === MessageType.PreVoteResp
  );
}

export interface Message {
  readonly type: MessageType;
  readonly to: RaftId;
  readonly from: RaftId;
  readonly term: number;
  /** Term of the entry at `index` (App: the entry preceding `entries`; votes: candidate's last term). */
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly snapshot?: Snapshot;
  readonly reject: boolean;
  readonly rejectHint: number;
  /** Opaque context (ReadIndex request context, campaign-transfer marker). */
  readonly context: Uint8Array;
}

const EMPTY_BYTES = new Uint8Array(0);

/** Builds a message with every field not given set to its zero value. */
export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    to: NONE,
    from: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: EMPTY_BYTES,
    ...fields,
  };
}

export const StateRole = {
  Follower: 'follower',
  Candidate: 'candidate',
  Leader: 'leader',
  PreCandidate: 'pre-candidate',
} as const;
export type StateRole = (typeof StateRole)[keyof typeof StateRole];

/** Volatile state worth telling the application about; not persisted. */
export interface SoftState {
  readonly lead: RaftId;
  readonly role: StateRole;
}

/** The answer to a ReadIndex request: reads are linearizable once `index` is applied. */
export interface ReadState {
  readonly index: number;
  readonly requestCtx: Uint8Array;
}

/**
 * What the application must do next, in this order:
 * 1. persist `snapshot` (if any), `entries` and `hardState` durably (synced when `mustSync`);
 * 2. send `messages`;
 * 3. apply `snapshot` then `committedEntries` to the state machine;
 * 4. call `advance()`.
 */
export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly readStates: readonly ReadState[];
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly mustSync: boolean;
}

export function isEmptySnapshot(s: Snapshot | undefined): boolean {
  return s === undefined || s.metadata.index === 0;
}

export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

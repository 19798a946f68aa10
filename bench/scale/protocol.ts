// The scale bench's IPC between its driver (bench/scale.ts) and the processes it forks: the
// managers (manager-process.ts) and the simulated nodes (node-simulator.ts).

/** What the driver asks a manager. */
export type ManagerRequest =
  { readonly type: 'count' } | { readonly type: 'stats' } | { readonly type: 'stop' };

/** Tasks as one manager's copy of the store holds them. */
export interface TaskCount {
  readonly type: 'count';
  readonly total: number;
  /** Tasks with a node (placed by the scheduler). */
  readonly assigned: number;
  /** Tasks running that should run. */
  readonly running: number;
  readonly leads: boolean;
  readonly leaderId: number;
  readonly appliedIndex: number;
  /** The leader's dispatcher: nodes waiting for their current view, and view bytes in flight. */
  readonly viewsBehind: number;
  readonly viewBytesInFlight: number;
}

export interface ManagerStats {
  readonly type: 'stats';
  /** After a full garbage collection. */
  readonly heapUsed: number;
  readonly rss: number;
  /** Bytes of the Raft directory on disk (LevelDB files). */
  readonly raftDirBytes: number;
  /** Bytes of the store's snapshot, as a snapshot install would send it. */
  readonly snapshotBytes: number;
}

export type ManagerMessage =
  | {
      readonly type: 'ready';
      readonly nodeId: string;
      readonly raftId: number;
      readonly addr: string;
      readonly socket: string;
      /** Join tokens (the first manager only). */
      readonly tokens?: { readonly worker: string; readonly manager: string };
    }
  | TaskCount
  | ManagerStats
  | { readonly type: 'failed'; readonly error: string };

export type SimulatorRequest = { readonly type: 'bytes' } | { readonly type: 'stop' };

export type SimulatorMessage =
  | { readonly type: 'joined'; readonly nodes: number }
  | { readonly type: 'sessions'; readonly nodes: number }
  /** Bytes the first node received from its manager through the counting proxy. */
  /** Bytes the proxied node received, and how many of its connections go through the proxy now. */
  | { readonly type: 'bytes'; readonly received: number; readonly open: number }
  | { readonly type: 'failed'; readonly error: string };

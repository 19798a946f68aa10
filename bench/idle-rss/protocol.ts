// The idle-RSS bench's IPC between its driver (bench/idle-rss.ts) and the node processes it
// forks (node-process.ts).

/** What a node process tells the driver. */
export type IdleNodeMessage =
  | {
      readonly type: 'ready';
      /** The manager's cluster address (host:port), for the worker to join. */
      readonly addr?: string;
      /** The swarm's worker join token (the manager only). */
      readonly workerToken?: string;
    }
  | { readonly type: 'failed'; readonly error: string };

/** What the driver asks a node process. */
export type IdleNodeRequest = { readonly type: 'stop' };

// The messages the fuzzer and its child manager (manager-child.ts) exchange over Node's IPC
// channel.

export type ParentMessage = { readonly type: 'probe'; readonly id: number } | { readonly type: 'stop' };

export type ChildMessage =
  | { readonly type: 'ready'; readonly socketPath: string; readonly nodeId: string }
  | {
      readonly type: 'probe';
      readonly id: number;
      /** Whether the manager leads its (one-member) Raft group. */
      readonly leads: boolean;
      /** The leader it knows, 0 for none. */
      readonly leaderId: number;
      readonly rssBytes: number;
    };

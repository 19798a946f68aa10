// One manager's replicated store: the object store driven by a RaftNode, with its log on
// LevelDB under `<dataDir>/raft` (encrypted with the key in `<dataDir>/raft-dek.json`) and its
// peers over the gRPC transport. This is what the manager builds on: writes go through
// `store.update()` on the leader, reads from `store.view()`.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { GrpcTransport, type GrpcTransportOptions } from '../raft/driver/grpc-transport.js';
import { LevelStorage } from '../raft/driver/level-storage.js';
import { RaftNode } from '../raft/driver/raft-node.js';
import type { RaftId } from '../raft/types.js';
import { MemoryStore } from '../store/index.js';
import { RaftProposer, type ProposalTimer } from './raft-proposer.js';

/** The file in the data directory holding the Raft log's data encryption key. */
export const RAFT_KEY_FILE = 'raft-dek.json';

export interface ReplicatedStoreOptions {
  readonly id: RaftId;
  readonly dataDir: string;
  /** host:port to listen on for Raft (port 0 picks one). */
  readonly listen: string;
  /** host:port peers reach this manager at; defaults to the bound listen address. */
  readonly advertise?: string;
  /** Start a new cluster with these members; the member's own address may be '' (filled in). */
  readonly bootstrap?: ReadonlyMap<RaftId, string>;
  /** Join an existing cluster whose members are these. */
  readonly join?: ReadonlyMap<RaftId, string>;
  readonly logger: Logger;
  readonly tickMs?: number;
  readonly snapshotEvery?: number;
  readonly keepAfterSnapshot?: number;
  /**
   * A gRPC server the caller owns and binds (the manager's 2377 server, shared with the
   * dispatcher and the CA). With it, `listen` is ignored and `advertise` is required.
   */
  readonly server?: grpc.Server;
  readonly serverCredentials?: grpc.ServerCredentials;
  readonly channelCredentials?: grpc.ChannelCredentials;
  readonly channelOptions?: grpc.ChannelOptions;
  /** The swarm's unlock key (its bytes), when the log's key file is wrapped with it (autolock). */
  readonly unlockKey?: Uint8Array;
  /** Checks callers of the Raft service (mutual TLS: managers only). */
  readonly authorize?: GrpcTransportOptions['authorize'];
  /** Times every proposal of this member until applied (metrics). */
  readonly proposalTimer?: ProposalTimer;
}

export class ReplicatedStore {
  readonly store: MemoryStore;
  readonly raft: RaftNode;
  readonly address: string;

  private readonly storage: LevelStorage;

  private constructor(store: MemoryStore, raft: RaftNode, address: string, storage: LevelStorage) {
    this.store = store;
    this.raft = raft;
    this.address = address;
    this.storage = storage;
  }

  /** The log's data encryption key (see LevelStorage.dataKey). */
  get dataKey(): Uint8Array {
    return this.storage.dataKey;
  }

  /** Size of the latest snapshot, taken here or installed from the leader (metrics). */
  get snapshotBytes(): number {
    return this.storage.memory.snapshot().data.byteLength;
  }

  /** Protects the log's key with `unlockKey` (autolock), or stores it as is (undefined). */
  protectKey(unlockKey: Uint8Array | undefined): Promise<void> {
    return this.storage.protectKey(unlockKey);
  }

  static async open(o: ReplicatedStoreOptions): Promise<ReplicatedStore> {
    const dir = join(o.dataDir, 'raft');
    // The log holds the root CA key: only the manager's user may read it (0700, with the
    // daemon's 0o077 umask for LevelDB's files).
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // The key the log is encrypted with sits beside the node's TLS key, outside the log's own
    // directory: a copy of that directory alone cannot be read.
    const storage = await LevelStorage.open(dir, {
      keyFile: join(o.dataDir, RAFT_KEY_FILE),
      ...(o.unlockKey !== undefined ? { unlockKey: o.unlockKey } : {}),
    });
    let transport: GrpcTransport;
    try {
      if (o.server && !o.advertise)
        throw new Error('ReplicatedStore: a shared server needs an advertise address');
      transport = o.server
        ? GrpcTransport.attach(o.server, {
            id: o.id,
            logger: o.logger,
            ...(o.channelCredentials ? { channelCredentials: o.channelCredentials } : {}),
            ...(o.channelOptions ? { channelOptions: o.channelOptions } : {}),
            ...(o.authorize ? { authorize: o.authorize } : {}),
          })
        : await GrpcTransport.listen({
            id: o.id,
            listen: o.listen,
            logger: o.logger,
            ...(o.serverCredentials ? { serverCredentials: o.serverCredentials } : {}),
            ...(o.channelCredentials ? { channelCredentials: o.channelCredentials } : {}),
          });
    } catch (e: unknown) {
      await storage.close();
      throw e;
    }
    const host = o.listen.slice(0, o.listen.lastIndexOf(':'));
    const address = o.advertise ?? `${host}:${transport.port}`;
    const proposer = new RaftProposer(o.proposalTimer);
    const store = new MemoryStore(proposer, { logger: o.logger });
    const bootstrap = o.bootstrap
      ? new Map([...o.bootstrap].map(([id, a]) => [id, id === o.id && !a ? address : a]))
      : undefined;
    const raft = new RaftNode({
      id: o.id,
      address,
      storage,
      transport,
      stateMachine: store,
      logger: o.logger,
      ...(bootstrap ? { bootstrap } : {}),
      ...(o.join ? { join: o.join } : {}),
      ...(o.tickMs !== undefined ? { tickMs: o.tickMs } : {}),
      ...(o.snapshotEvery !== undefined ? { snapshotEvery: o.snapshotEvery } : {}),
      ...(o.keepAfterSnapshot !== undefined ? { keepAfterSnapshot: o.keepAfterSnapshot } : {}),
    });
    proposer.bind(raft);
    await raft.start();
    return new ReplicatedStore(store, raft, address, storage);
  }

  async close(): Promise<void> {
    await this.raft.stop();
  }
}

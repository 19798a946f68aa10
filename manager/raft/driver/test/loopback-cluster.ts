// Real RaftNodes on loopback gRPC with LevelDB in temporary directories: the fixture of the
// integration tests and the commit benchmark. Each member applies to a small key-value map.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { GrpcTransport } from '../grpc-transport.js';
import { LevelStorage } from '../level-storage.js';
import type { StateMachine } from '../../../state-machine.js';
import { RaftNode } from '../raft-node.js';
import type { RaftId } from '../../types.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A key-value map as the replicated application: commands are JSON [key, value]. */
export class KvMachine implements StateMachine {
  data = new Map<string, string>();
  appliedIndex = 0;
  /** Snapshots taken of this machine. */
  snapshots = 0;
  apply(index: number, command: Uint8Array): unknown {
    const [k, v] = JSON.parse(dec.decode(command)) as [string, string];
    this.data.set(k, v);
    this.appliedIndex = index;
    return index;
  }
  snapshot(): Uint8Array {
    this.snapshots++;
    return enc.encode(JSON.stringify([...this.data]));
  }
  restore(index: number, data: Uint8Array): void {
    this.data = new Map(data.byteLength ? (JSON.parse(dec.decode(data)) as [string, string][]) : []);
    this.appliedIndex = index;
  }
}

export function kvCommand(key: string, value: string): Uint8Array {
  return enc.encode(JSON.stringify([key, value]));
}

export interface Member {
  readonly id: RaftId;
  readonly dir: string;
  address: string;
  node: RaftNode | undefined;
  kv: KvMachine;
}

export interface ClusterOptions {
  readonly tickMs?: number;
  readonly snapshotEvery?: number;
  readonly snapshotBytes?: number;
  readonly keepAfterSnapshot?: number;
  readonly logger?: Logger;
  /** Largest gRPC message a member accepts. */
  readonly maxMessageSize?: number;
}

export class LoopbackCluster {
  readonly members = new Map<RaftId, Member>();
  private root = '';
  private readonly o: ClusterOptions;
  readonly logger: Logger;

  constructor(o: ClusterOptions = {}) {
    this.o = o;
    this.logger = o.logger ?? pino({ level: process.env['SHOAL_TEST_LOG'] ?? 'silent' });
  }

  /** Creates and starts `n` members that bootstrap one cluster. */
  async start(n: number): Promise<void> {
    this.root = await mkdtemp(join(tmpdir(), 'shoal-raft-'));
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    // Bind every transport first so the bootstrap membership names real ports.
    const transports = new Map<RaftId, GrpcTransport>();
    for (const id of ids) {
      const t = await this.transport(id, '127.0.0.1:0');
      transports.set(id, t);
      this.members.set(id, {
        id,
        dir: join(this.root, `m${id}`),
        address: `127.0.0.1:${t.port}`,
        node: undefined,
        kv: new KvMachine(),
      });
    }
    const bootstrap = new Map([...this.members].map(([id, m]) => [id, m.address]));
    for (const id of ids) await this.boot(id, transports.get(id)!, bootstrap);
  }

  private transport(id: RaftId, listen: string): Promise<GrpcTransport> {
    return GrpcTransport.listen({
      id,
      listen,
      logger: this.logger,
      ...(this.o.maxMessageSize !== undefined ? { maxMessageSize: this.o.maxMessageSize } : {}),
    });
  }

  /**
   * Starts a new member with empty storage that joins the running cluster (as `swarm join`
   * does); the leader must still add it (addLearner / addMember) with the returned address.
   */
  async join(id: RaftId): Promise<string> {
    if (this.members.has(id)) throw new Error(`member ${id} already exists`);
    const t = await this.transport(id, '127.0.0.1:0');
    const current = new Map<RaftId, string>();
    for (const m of this.members.values()) if (m.node) current.set(m.id, m.address);
    this.members.set(id, {
      id,
      dir: join(this.root, `m${id}`),
      address: `127.0.0.1:${t.port}`,
      node: undefined,
      kv: new KvMachine(),
    });
    await this.boot(id, t, undefined, current);
    return this.members.get(id)!.address;
  }

  private async boot(
    id: RaftId,
    transport: GrpcTransport,
    bootstrap?: ReadonlyMap<RaftId, string>,
    joining?: ReadonlyMap<RaftId, string>,
  ): Promise<void> {
    const m = this.members.get(id)!;
    const storage = await LevelStorage.open(m.dir);
    m.kv = new KvMachine();
    m.node = new RaftNode({
      id,
      address: m.address,
      storage,
      transport,
      stateMachine: m.kv,
      logger: this.logger,
      ...(bootstrap ? { bootstrap } : {}),
      ...(joining ? { join: joining } : {}),
      tickMs: this.o.tickMs ?? 20,
      ...(this.o.snapshotEvery !== undefined ? { snapshotEvery: this.o.snapshotEvery } : {}),
      ...(this.o.snapshotBytes !== undefined ? { snapshotBytes: this.o.snapshotBytes } : {}),
      ...(this.o.keepAfterSnapshot !== undefined ? { keepAfterSnapshot: this.o.keepAfterSnapshot } : {}),
    });
    await m.node.start();
  }

  /** Stops a member as a crash would look to its peers (storage is kept). */
  async stop(id: RaftId): Promise<void> {
    const m = this.members.get(id)!;
    await m.node?.stop();
    m.node = undefined;
  }

  /** Restarts a stopped member on the same address and data directory. */
  async restart(id: RaftId): Promise<void> {
    const m = this.members.get(id)!;
    const t = await this.transport(id, m.address);
    await this.boot(id, t);
  }

  node(id: RaftId): RaftNode {
    const n = this.members.get(id)?.node;
    if (!n) throw new Error(`member ${id} is not running`);
    return n;
  }

  /** Waits until a running member is leader (polling, bounded by `timeoutMs`). */
  async waitForLeader(timeoutMs = 10_000): Promise<RaftNode> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      for (const m of this.members.values()) if (m.node?.isLeader()) return m.node;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no leader within ${timeoutMs} ms`);
  }

  async close(): Promise<void> {
    for (const id of this.members.keys()) await this.stop(id).catch(() => {});
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }
}

// What a node remembers about its swarm membership across restarts, in <data-root>/swarm/:
// state.json (IDs, role, addresses, known managers) and its TLS material. Written atomically
// (temp file, fsync, rename, fsync of the directory) so a crash never leaves a half-written or
// lost file; a damaged file is refused with the path and the reason, never silently replaced.
// Under autolock a manager's TLS key is stored encrypted with the unlock key
// (node-key-protection.ts).

import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DATA_DIR_MODE, makeDirs } from './data-root.js';
import { protectNodeKey } from './node-key-protection.js';

export interface ManagerAddress {
  readonly nodeId: string;
  /** host:port of the manager's cluster port. */
  readonly addr: string;
}

/** This node's place in its swarm (state.json); api/objects' NodeState is a node's readiness. */
export interface SwarmMembership {
  readonly version: 1;
  readonly nodeId: string;
  readonly clusterId: string;
  readonly role: 'manager' | 'worker';
  /** Raft member ID (managers only). */
  readonly raftId?: number;
  /** host:port this node's cluster port listens on. */
  readonly listenAddr: string;
  /** host:port other nodes reach this node's cluster port at. */
  readonly advertiseAddr: string;
  /** Managers this node knows, refreshed from its session. */
  readonly managers: readonly ManagerAddress[];
}

export interface TlsMaterial {
  readonly caCert: string;
  readonly nodeCert: string;
  readonly nodeKey: string;
}

export class NodeStateError extends Error {
  readonly code = 'NODE_STATE';
  constructor(message: string) {
    super(message);
    this.name = 'NodeStateError';
  }
}

async function writeAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  const fh = await open(tmp, 'wx', mode);
  try {
    // The mode given to open applies under the umask: set it explicitly.
    await fh.chmod(mode);
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function isSwarmMembership(v: unknown): v is SwarmMembership {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    o['version'] === 1 &&
    typeof o['nodeId'] === 'string' &&
    typeof o['clusterId'] === 'string' &&
    (o['role'] === 'manager' || o['role'] === 'worker') &&
    (o['raftId'] === undefined || Number.isSafeInteger(o['raftId'])) &&
    typeof o['listenAddr'] === 'string' &&
    typeof o['advertiseAddr'] === 'string' &&
    Array.isArray(o['managers']) &&
    o['managers'].every(
      (m: unknown) =>
        typeof m === 'object' &&
        m !== null &&
        typeof (m as Record<string, unknown>)['nodeId'] === 'string' &&
        typeof (m as Record<string, unknown>)['addr'] === 'string',
    )
  );
}

export class NodeStateDir {
  readonly dir: string;
  /**
   * The manager's Raft data key while autolock is on: the TLS key is stored encrypted under it
   * (node-key-protection.ts). Undefined: stored as a plain PEM.
   */
  tlsKeySecret: Uint8Array | undefined;

  constructor(dataRoot: string) {
    this.dir = join(dataRoot, 'swarm');
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  /** The saved state, or undefined if this node is not in a swarm (the TLS key as stored). */
  async load(): Promise<{ state: SwarmMembership; tls: TlsMaterial } | undefined> {
    let text: string;
    try {
      text = await readFile(this.path('state.json'), 'utf8');
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e: unknown) {
      throw new NodeStateError(
        `${this.path('state.json')} is damaged (${e instanceof Error ? e.message : String(e)}); to leave the swarm and start over, remove ${this.dir}`,
      );
    }
    if (!isSwarmMembership(parsed)) {
      throw new NodeStateError(
        `${this.path('state.json')} does not hold a valid node state; to start over, remove ${this.dir}`,
      );
    }
    const read = async (name: string): Promise<string> => {
      try {
        return await readFile(this.path(name), 'utf8');
      } catch (e: unknown) {
        throw new NodeStateError(
          `${this.path(name)} is missing or unreadable (${(e as Error).message}); the node cannot rejoin without it`,
        );
      }
    };
    return {
      state: parsed,
      tls: {
        caCert: await read('ca.crt'),
        nodeCert: await read('node.crt'),
        nodeKey: await read('node.key'),
      },
    };
  }

  async save(state: SwarmMembership, tls?: TlsMaterial): Promise<void> {
    await makeDirs(this.dir, DATA_DIR_MODE);
    if (tls) {
      await writeAtomic(this.path('ca.crt'), tls.caCert);
      await writeAtomic(this.path('node.crt'), tls.nodeCert);
      await this.saveNodeKey(tls.nodeKey);
    }
    await writeAtomic(this.path('state.json'), `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Stores the node's TLS key (plain PEM given), protected as `tlsKeySecret` says now. */
  async saveNodeKey(plainPem: string): Promise<void> {
    await writeAtomic(this.path('node.key'), protectNodeKey(plainPem, this.tlsKeySecret), 0o600);
  }

  /** Forgets the swarm (on leave): state, certificates, and the Raft data beside them. */
  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

// A manager of an autolocked swarm at rest: its Raft data encryption key (raft-dek.json) is
// wrapped with the swarm's unlock key, and its TLS key encrypted under that data key. After a
// restart it is locked: it serves nothing but `swarm unlock` (and `info`, `swarm leave`) until a
// user gives the key. A wrong key changes nothing and can be followed by the right one at once.

import { join } from 'node:path';
import { invalidUnlockKey } from '../manager/controlapi/membership-rules.js';
import { dekProtection, DekLockedError, readDekFile } from '../manager/raft/driver/dek-file.js';
import { RAFT_KEY_FILE } from '../manager/replication/replicated-store.js';
import { openNodeKey } from './node-key-protection.js';

/** Is the manager whose swarm state is in `swarmDir` locked (its data key wrapped)? */
export async function isSwarmLocked(swarmDir: string): Promise<boolean> {
  return (await dekProtection(join(swarmDir, RAFT_KEY_FILE))) === 'unlock-key';
}

/** A manager's keys, opened. */
export interface OpenedKeys {
  /** The TLS key's plain PEM. */
  readonly nodeKey: string;
  /** The Raft data key if the TLS key is stored encrypted under it (autolock on), else undefined. */
  readonly tlsKeySecret: Uint8Array | undefined;
}

/**
 * Opens a manager's keys: the data key with `unlockKey` when it is wrapped (Docker's "invalid
 * key supplied", 400, when the key does not open it), then the TLS key with the data key.
 */
export async function openManagerKeys(
  swarmDir: string,
  storedNodeKey: string,
  unlockKey: Uint8Array | undefined,
): Promise<OpenedKeys> {
  let dek: Uint8Array | undefined;
  try {
    dek = await readDekFile(join(swarmDir, RAFT_KEY_FILE), unlockKey);
  } catch (e: unknown) {
    if (e instanceof DekLockedError) throw invalidUnlockKey();
    throw e;
  }
  // Autolock on (the data key was wrapped): the TLS key is kept encrypted under the data key.
  return {
    nodeKey: openNodeKey(storedNodeKey, dek),
    tlsKeySecret: unlockKey === undefined ? undefined : dek,
  };
}

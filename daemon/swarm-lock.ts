// A manager of an autolocked swarm at rest: its Raft data encryption key (raft-dek.json) is
// wrapped with the swarm's unlock key and its TLS key encrypted with it. After a restart it is
// locked: it serves nothing but `swarm unlock` (and `info`, `swarm leave`) until a user gives
// the key. A wrong key changes nothing and can be followed by the right one at once.

import { join } from 'node:path';
import { invalidUnlockKey } from '../manager/controlapi/index.js';
import { dekProtection, DekLockedError, readDekFile } from '../manager/raft/driver/dek-file.js';
import { RAFT_KEY_FILE } from '../manager/replication/replicated-store.js';
import { isProtectedNodeKey, NodeKeyLockedError, openNodeKey } from './node-key-protection.js';

/** Is the manager whose swarm state is in `swarmDir` locked (its keys need the unlock key)? */
export async function isSwarmLocked(swarmDir: string, storedNodeKey: string): Promise<boolean> {
  return (
    (await dekProtection(join(swarmDir, RAFT_KEY_FILE))) === 'unlock-key' || isProtectedNodeKey(storedNodeKey)
  );
}

/**
 * Opens a locked manager's keys with `unlockKey`: answers the TLS key's plain PEM, or refuses
 * with Docker's "invalid key supplied" (400) when the key opens neither.
 */
export async function openSwarmKeys(
  swarmDir: string,
  storedNodeKey: string,
  unlockKey: Uint8Array,
): Promise<string> {
  try {
    await readDekFile(join(swarmDir, RAFT_KEY_FILE), unlockKey);
    return openNodeKey(storedNodeKey, unlockKey);
  } catch (e: unknown) {
    if (e instanceof DekLockedError || e instanceof NodeKeyLockedError) throw invalidUnlockKey();
    throw e;
  }
}

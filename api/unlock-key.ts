// The manager unlock key of an autolocked swarm, in Docker's text form `SWMKEY-1-<key>`: 32
// random bytes in unpadded standard base64. Managers keep it in the cluster object (so every
// manager can protect its own keys with it); `docker swarm unlock-key` shows it; a restarted
// manager of a locked swarm needs it to read its Raft data encryption key and TLS key.

import { randomBytes } from 'node:crypto';

export const UNLOCK_KEY_PREFIX = 'SWMKEY-1-';
export const UNLOCK_KEY_BYTES = 32;
/** The cluster object's subsystem name for the managers' key (swarmkit's). */
export const MANAGER_UNLOCK_SUBSYSTEM = 'manager';
/** Longer input is refused before it is decoded. */
const MAX_TEXT_LENGTH = 256;

/** A new random unlock key, as shown to the user. */
export function generateUnlockKey(): string {
  return UNLOCK_KEY_PREFIX + randomBytes(UNLOCK_KEY_BYTES).toString('base64').replace(/=+$/, '');
}

/** The key's bytes, or undefined when `text` is not an unlock key (surrounding space is ignored). */
export function parseUnlockKey(text: string): Uint8Array | undefined {
  if (text.length > MAX_TEXT_LENGTH) return undefined;
  const t = text.trim();
  if (!t.startsWith(UNLOCK_KEY_PREFIX)) return undefined;
  const body = t.slice(UNLOCK_KEY_PREFIX.length);
  if (!/^[A-Za-z0-9+/]{43}$/.test(body)) return undefined;
  const bytes = Buffer.from(body, 'base64');
  return bytes.byteLength === UNLOCK_KEY_BYTES ? new Uint8Array(bytes) : undefined;
}

/** The managers' unlock key a cluster object holds ('' when autolock is off). */
export function managerUnlockKey(c: {
  readonly unlockKeys: readonly { subsystem: string; key: string }[];
}): string {
  return c.unlockKeys.find((k) => k.subsystem === MANAGER_UNLOCK_SUBSYSTEM)?.key ?? '';
}

/** The text form of a key's bytes. */
export function formatUnlockKey(key: Uint8Array): string {
  if (key.byteLength !== UNLOCK_KEY_BYTES) throw new RangeError(`an unlock key is ${UNLOCK_KEY_BYTES} bytes`);
  return UNLOCK_KEY_PREFIX + Buffer.from(key).toString('base64').replace(/=+$/, '');
}

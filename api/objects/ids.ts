// Object IDs in Swarm's format: 25 lower-case base-36 characters from 128 random bits.
// IDs are chosen by the writer before proposing, so every replica stores the same one.

import { randomBytes } from 'node:crypto';

export const ID_LENGTH = 25;

export function generateId(): string {
  const hex = randomBytes(16).toString('hex');
  return BigInt(`0x${hex}`).toString(36).padStart(ID_LENGTH, '0');
}

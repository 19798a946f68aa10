// Objects in the store are deeply frozen: readers share them without copying, and a reader
// that tries to modify one gets a TypeError instead of silently corrupting every replica's view.
// Writers build changed objects by copying (spread or structuredClone) and hand them to a WriteTx.

/** Freezes `value` and everything reachable from it; already-frozen subtrees are skipped. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (const child of value as unknown[]) deepFreeze(child);
    } else {
      const record = value as Record<string, unknown>;
      for (const key in record) deepFreeze(record[key]);
    }
  }
  return value;
}

/**
 * Deep-freezes a freshly parsed JSON value unless it nests objects/arrays deeper than
 * `maxDepth` levels; returns false (having frozen only part of it) if it does. One walk both
 * bounds the depth of untrusted input and freezes it.
 */
export function freezeWithin(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (maxDepth === 0) return false;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const child of value as unknown[]) if (!freezeWithin(child, maxDepth - 1)) return false;
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) if (!freezeWithin(record[key], maxDepth - 1)) return false;
  }
  return true;
}

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
 * bounds the depth of untrusted input and freezes it. Values in `known` (frozen already, with
 * the depth frozenDepth gave them) are not walked again: a snapshot's shared parts, held by
 * thousands of objects, are walked once.
 */
export function freezeWithin(value: unknown, maxDepth: number, known?: ReadonlyMap<object, number>): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (known !== undefined) {
    const depth = known.get(value);
    if (depth !== undefined) return depth <= maxDepth;
  }
  if (maxDepth === 0) return false;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const child of value as unknown[]) if (!freezeWithin(child, maxDepth - 1, known)) return false;
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) if (!freezeWithin(record[key], maxDepth - 1, known)) return false;
  }
  return true;
}

/**
 * Deep-freezes a freshly parsed JSON value and returns how many levels it nests (0 for a
 * primitive), or Infinity past `maxDepth` (then only part of it is frozen).
 */
export function frozenDepth(value: unknown, maxDepth: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (maxDepth === 0) return Infinity;
  Object.freeze(value);
  let deepest = 0;
  const children: unknown[] = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const child of children) {
    const depth = frozenDepth(child, maxDepth - 1);
    if (depth === Infinity) return Infinity;
    if (depth > deepest) deepest = depth;
  }
  return deepest + 1;
}

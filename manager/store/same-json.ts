// Exact equality of two JSON values, key order included: two values this calls equal serialize
// to the same text with JSON.stringify, so one can stand in for the other anywhere, byte for
// byte (a command, a snapshot, the API's answers), not only in the canonical hash.

/** True if `a` and `b` are equal JSON values with their object keys in the same order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra);
  const kb = Object.keys(rb);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const key = ka[i]!;
    if (key !== kb[i] || !sameJson(ra[key], rb[key])) return false;
  }
  return true;
}

// Assertions on the checker's verdicts, shared by its tests.

import assert from 'node:assert/strict';
import type { LinearizabilityResult } from './linearizability.js';

export function assertOk(r: LinearizabilityResult, name: string): void {
  assert.deepEqual(r, { ok: true }, `${name}: expected linearizable, got ${JSON.stringify(r)}`);
}
export function assertViolation(r: LinearizabilityResult, name: string): string {
  assert.equal(r.ok, false, `${name}: expected a violation, got ${JSON.stringify(r)}`);
  assert.ok(r.ok === false);
  return r.reason;
}

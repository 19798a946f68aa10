// The size of V8's young generation in shoald, by role.
//
// V8 grows the young generation (two semi-spaces) from 1 MiB up to 16 MiB each whenever many
// objects survive a scavenge, and gives the memory back only on a later full collection. Module
// loading at start is such a burst, and an idle node then collects nothing: a worker sat with
// 32 MiB of new space committed (a third of its RSS) for the rest of its life. A worker's heap
// is small and its work light, so shoald keeps the young generation at its initial size there.
// A manager's store work runs at half speed in a 1 MiB young generation (premature promotion
// into a large old generation: the store-txn bench), so a node that loads the manager's code
// gets V8's default growth back.
//
// `--max-semi-space-size` is read once, when the heap is set up: passed to a running process it
// changes nothing. The growth factor is read each time V8 considers growing the young
// generation, so it is what can be changed at run time, in both directions. It must be set before
// the process loads its modules: cli/shoald.ts sets it and only then imports the daemon.

import { setFlagsFromString } from 'node:v8';

/** V8's default (flag-definitions.h: semi_space_growth_factor). */
const V8_DEFAULT_GROWTH_FACTOR = 2;

let held = false;

/** Keeps the young generation at its current (initial) size: no growth from here on. */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  held = true;
}

/** Lets the young generation grow again as V8 decides by default (a manager's workload). */
export function releaseYoungGeneration(): void {
  if (!held) return;
  setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
  held = false;
}

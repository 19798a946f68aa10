// The store behind manager-only routes, refused with Docker's 503 messages on a node that is
// not an active manager.

import type { MemoryStore } from '../store/index.js';
import { notInSwarm, notManager, swarmLocked } from './control-errors.js';
import type { SwarmControl } from './swarm-control.js';

export function managerStore(control: SwarmControl): MemoryStore {
  const state = control.localNodeState();
  if (state === 'locked') throw swarmLocked();
  if (state !== 'active') throw notInSwarm();
  if (!control.isManager()) throw notManager();
  return control.store();
}

// Every leader-only control loop of a manager, built side by side in this one place, and run
// while, and only while, this manager leads (LeaderLoops, loop/leadership.ts). Nothing else
// builds a leader loop, and no loop folder reaches into another: they share only manager/loop
// (the loop kit), manager/task (task helpers) and manager/constraint (placement rules).
//
// The loops, in the order they start:
//   manager status  keeps each manager node's MANAGER STATUS in step with Raft   (needs Raft)
//   role manager    promotes/demotes on the Raft side, drops unclaimed members   (needs Raft)
//   root rotation   finishes a root CA rotation once every node is on the next root
//   allocator       networks, VIPs, task addresses, ports: tasks 'new' -> 'pending'
//   dispatcher      the leader side of agent sessions (heartbeat expiry)
//   restarts        restart supervision: delayed starts of replacement tasks
//   updates         rolling updates and rollbacks, one updater per service
//   replicated      one task per slot of replicated services
//   global          one task per eligible node of global services
//   jobs            replicated and global jobs
//   reaper          task history beyond the retention limit, removed tasks
//   scheduler       assigns schedulable tasks to nodes

import { pino, type Logger } from 'pino';
import type { Clock } from '../api/clock/clock.js';
import { AllocatorLoop } from './allocator/allocator-loop.js';
import type { ControlLoop } from './loop/control-loop.js';
import { LeaderLoops } from './loop/leadership.js';
import { ManagerStatusLoop } from './manager-status-loop.js';
import { GlobalOrchestrator } from './orchestrator/global/global-orchestrator.js';
import { JobOrchestrator } from './orchestrator/jobs/job-orchestrator.js';
import { TaskReaper } from './orchestrator/reaper/task-reaper.js';
import { ReplicatedOrchestrator } from './orchestrator/replicated/replicated-orchestrator.js';
import { RestartSupervisor } from './orchestrator/restart/restart-supervisor.js';
import { UpdateSupervisor } from './orchestrator/update/update-supervisor.js';
import type { RaftNode } from './raft/driver/raft-node.js';
import { RoleManager } from './role-manager.js';
import { RootRotationLoop } from './root-rotation-loop.js';
import { Scheduler } from './scheduler/scheduler.js';
import type { MemoryStore } from './store/store.js';

export interface LeaderLoopsOptions {
  readonly store: MemoryStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  /**
   * The Raft node: the loops that act on the Raft group (manager status, role manager) are built
   * only when it is given (tests run the store-driven loops alone).
   */
  readonly raft?: RaftNode;
  /** The dispatcher, whose leader side runs as a loop; left out when no agents are served. */
  readonly dispatcher?: { run(signal: AbortSignal): Promise<void> };
  /**
   * Run the network allocator (default true). With it, the allocator moves tasks from 'new' to
   * 'pending' once their networks are allocated and the scheduler takes only 'pending' tasks;
   * without it, the scheduler takes 'new' tasks as well.
   */
  readonly allocator?: boolean;
  /** Counts the scheduler's committed placements (metrics). */
  readonly placements?: { inc(n: number): void };
}

export interface LeaderLoopSet {
  readonly allocator: AllocatorLoop | undefined;
  readonly scheduler: Scheduler;
  /** Every loop, in the order they start. */
  readonly loops: readonly ControlLoop[];
}

/** Builds every leader loop (see the list at the top). */
export function createLeaderLoops(o: LeaderLoopsOptions): LeaderLoopSet {
  const logger = o.logger ?? pino({ level: 'silent' });
  const base = { store: o.store, clock: o.clock, logger };
  const raftLoops: ControlLoop[] =
    o.raft === undefined
      ? []
      : [new ManagerStatusLoop({ ...base, raft: o.raft }), new RoleManager({ ...base, raft: o.raft })];
  const allocator = o.allocator === false ? undefined : new AllocatorLoop(base);
  const dispatcher = o.dispatcher;
  const restarts = new RestartSupervisor(base);
  const updates = new UpdateSupervisor({ ...base, restarts });
  const orchestrators = { ...base, restarts, updates };
  const scheduler = new Scheduler({
    ...base,
    ...(allocator === undefined ? {} : { schedulableStates: ['pending'] }),
    ...(o.placements === undefined ? {} : { placements: o.placements }),
  });
  const loops: ControlLoop[] = [
    ...raftLoops,
    new RootRotationLoop(base),
    ...(allocator === undefined ? [] : [allocator]),
    ...(dispatcher === undefined
      ? []
      : [{ name: 'dispatcher', run: (signal: AbortSignal) => dispatcher.run(signal) }]),
    restarts,
    updates,
    new ReplicatedOrchestrator(orchestrators),
    new GlobalOrchestrator(orchestrators),
    new JobOrchestrator(orchestrators),
    new TaskReaper(base),
    scheduler,
  ];
  return { allocator, scheduler, loops };
}

/**
 * Builds every leader loop and runs them whenever this manager leads, from now until `stop()`
 * on the returned supervisor. `supervisorLogger` logs leadership changes and loop restarts.
 */
export function startLeaderLoops(
  o: LeaderLoopsOptions & { readonly raft: RaftNode },
  supervisorLogger: Logger,
): LeaderLoops {
  const loops = new LeaderLoops(o.raft, createLeaderLoops(o).loops, supervisorLogger);
  loops.start();
  return loops;
}

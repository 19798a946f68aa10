// The shape every leader-only control loop shares (orchestrators, supervisors, the reaper, the
// scheduler, the allocator, manager status, roles, the dispatcher's leader side): a name for
// logs, and `run(signal)`, which works until `signal` aborts and then resolves. A loop that
// cannot go on (a broken invariant) rejects instead. LeaderLoops (leadership.ts) runs them.

export interface ControlLoop {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

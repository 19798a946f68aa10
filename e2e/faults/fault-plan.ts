// The process and network faults of a fault run, and their order: the first round injects each
// kind once in a fixed order, later rounds in an order drawn from the seed. Each fault holds for
// a while (the workload keeps writing), then is undone and the cluster must heal.

import { SeededRandom } from '../../manager/raft/random.js';
import type { FaultCluster } from './fault-cluster.js';

export const FAULT_KINDS = [
  'kill-leader',
  'kill-follower',
  'stop-leader',
  'stop-follower',
  'isolate-leader',
  'isolate-follower',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface InjectedFault {
  readonly kind: FaultKind;
  readonly host: string;
  /** When the fault was injected and undone, on the history's clock. */
  readonly at: number;
  readonly healedAt: number;
  /** The fault took a majority away: writes can only come back once it is undone. */
  readonly quorumLost?: boolean;
}

export function faultPlan(rounds: number, seed: number): FaultKind[] {
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new RangeError(`rounds must be a positive integer, not ${rounds}`);
  const rng = new SeededRandom(seed);
  const plan: FaultKind[] = [...FAULT_KINDS];
  for (let r = 1; r < rounds; r++) {
    const round = [...FAULT_KINDS];
    for (let i = round.length - 1; i > 0; i--) {
      const j = rng.intn(i + 1);
      [round[i], round[j]] = [round[j]!, round[i]!];
    }
    plan.push(...round);
  }
  return plan;
}

/** Injects one fault, holds it for `holdMs`, undoes it and waits for a leader again. */
export async function injectFault(
  c: FaultCluster,
  kind: FaultKind,
  holdMs: number,
  now: () => number,
): Promise<InjectedFault> {
  const target = kind.endsWith('-leader') ? await c.leader() : await c.follower();
  const at = now();
  if (kind.startsWith('kill-')) await c.kill(target);
  else if (kind.startsWith('stop-')) c.signal(target, 'SIGSTOP');
  else await c.isolate(target);
  await new Promise((r) => setTimeout(r, holdMs));
  const healedAt = now();
  await c.heal();
  await c.leader(60_000);
  return { kind, host: c.name(target), at, healedAt };
}

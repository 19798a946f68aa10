// Whether a node should run a task of a global service (or global job): 'run' when it is active,
// up and satisfies the placement; 'keep' when it keeps what it has but takes nothing new (paused
// or disconnected); otherwise the reason its tasks must stop.

import {
  ConstraintParseError,
  matchesConstraints,
  parseConstraints,
  type Constraint,
} from '../../constraint/constraint.js';
import { platformMatches } from '../../constraint/platform.js';
import type { Node, Service } from '../../../api/objects/index.js';
import type { NodeLoss } from '../node-validity.js';

export type NodeFit = 'run' | 'keep' | NodeLoss | 'constraints';

const parsed = new WeakMap<object, Constraint[] | null>();

function constraintsOf(service: Service): Constraint[] | null {
  const placement = service.spec.taskTemplate.placement;
  let c = parsed.get(placement);
  if (c === undefined) {
    try {
      c = parseConstraints(placement.constraints);
    } catch (e: unknown) {
      if (!(e instanceof ConstraintParseError)) throw e;
      c = null;
    }
    if (Object.isFrozen(placement)) parsed.set(placement, c);
  }
  return c;
}

export function globalNodeFit(service: Service, node: Node | undefined): NodeFit {
  if (node === undefined) return 'removed';
  if (node.status.state === 'down') return 'down';
  if (node.spec.availability === 'drain') return 'drain';
  const constraints = constraintsOf(service);
  if (constraints === null || !matchesConstraints(node, constraints)) return 'constraints';
  const platforms = service.spec.taskTemplate.placement.platforms;
  const platform = node.description?.platform;
  if (
    platforms.length > 0 &&
    (platform === undefined || !platforms.some((p) => platformMatches(p, platform)))
  ) {
    return 'constraints';
  }
  if (node.spec.availability === 'pause' || node.status.state === 'disconnected') return 'keep';
  return 'run';
}

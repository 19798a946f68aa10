// Placement constraints as Swarm writes and matches them: `key==value` or `key!=value`, keys
// `node.id`, `node.hostname`, `node.ip`, `node.role`, `node.platform.os|arch`,
// `node.labels.<label>`, `engine.labels.<label>`. Keys and values compare case-insensitively;
// label names themselves are case-sensitive. A missing attribute matches the empty string
// (so `!=` holds and `==` fails).

import type { Node } from '../../api/objects/index.js';

export type ConstraintOperator = '==' | '!=';

export interface Constraint {
  /** The key as written, e.g. "node.labels.zone". */
  readonly key: string;
  readonly operator: ConstraintOperator;
  readonly value: string;
}

export class ConstraintParseError extends Error {
  readonly code = 'INVALID_CONSTRAINT';
  readonly expression: string;
  constructor(expression: string, reason: string) {
    super(`invalid constraint ${JSON.stringify(expression)}: ${reason}`);
    this.name = 'ConstraintParseError';
    this.expression = expression;
  }
}

const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
const VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;

/** Parses one expression, e.g. "node.role==manager"; throws ConstraintParseError. */
export function parseConstraint(expression: string): Constraint {
  const eq = expression.indexOf('==');
  const ne = expression.indexOf('!=');
  let at: number;
  let operator: ConstraintOperator;
  if (eq >= 0 && (ne < 0 || eq < ne)) {
    at = eq;
    operator = '==';
  } else if (ne >= 0) {
    at = ne;
    operator = '!=';
  } else {
    throw new ConstraintParseError(expression, 'expected key==value or key!=value');
  }
  const key = expression.slice(0, at).trim();
  const value = expression.slice(at + 2).trim();
  if (!KEY.test(key)) throw new ConstraintParseError(expression, `invalid key ${JSON.stringify(key)}`);
  if (value.includes('==') || value.includes('!=')) {
    throw new ConstraintParseError(expression, 'more than one operator');
  }
  if (!VALUE.test(value))
    throw new ConstraintParseError(expression, `invalid value ${JSON.stringify(value)}`);
  return { key, operator, value };
}

export function parseConstraints(expressions: readonly string[]): Constraint[] {
  return expressions.map(parseConstraint);
}

const NODE_LABELS = 'node.labels.';
const ENGINE_LABELS = 'engine.labels.';

/** The node attribute a key names ('' when the node lacks it), or undefined for an unknown key. */
export function nodeAttribute(node: Node, key: string): string | undefined {
  const lower = key.toLowerCase();
  switch (lower) {
    case 'node.id':
      return node.id;
    case 'node.hostname':
      return node.description?.hostname ?? '';
    case 'node.ip':
      return node.status.addr;
    case 'node.role':
      return node.role;
    case 'node.platform.os':
      return node.description?.platform.os ?? '';
    case 'node.platform.arch':
      return node.description?.platform.architecture ?? '';
  }
  if (lower.startsWith(NODE_LABELS) && key.length > NODE_LABELS.length) {
    return node.spec.labels[key.slice(NODE_LABELS.length)] ?? '';
  }
  if (lower.startsWith(ENGINE_LABELS) && key.length > ENGINE_LABELS.length) {
    return node.description?.engine.labels[key.slice(ENGINE_LABELS.length)] ?? '';
  }
  return undefined;
}

/** True when the node satisfies every constraint (an unknown key is never satisfied). */
export function matchesConstraints(node: Node, constraints: readonly Constraint[]): boolean {
  for (const c of constraints) {
    const actual = nodeAttribute(node, c.key);
    if (actual === undefined) return false;
    const equal = actual.toLowerCase() === c.value.toLowerCase();
    if (equal !== (c.operator === '==')) return false;
  }
  return true;
}

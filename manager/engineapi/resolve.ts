// Finding the object a request names, as Docker does: the full ID, then the name, then a
// unique ID prefix. Several prefix matches are "ambiguous"; none is "<kind> X not found".

import type { Config, Node, ReadTx, Secret, Service, Task } from '../store/index.js';
import { invalidParameter, notFound } from './errors.js';
import { taskName } from './translate/task.js';

function pick<T extends { id: string }>(
  kind: string,
  input: string,
  byName: readonly T[],
  all: () => readonly T[],
): T {
  if (byName.length === 1) return byName[0]!;
  const candidates = byName.length > 1 ? byName : all().filter((o) => o.id.startsWith(input));
  if (candidates.length === 0 || input === '') throw notFound(`${kind} ${input} not found`);
  if (candidates.length > 1)
    throw invalidParameter(`${kind} ${input} is ambiguous (${candidates.length} matches found)`);
  return candidates[0]!;
}

export function resolveService(tx: ReadTx, input: string): Service {
  const byId = tx.get('services', input);
  if (byId !== undefined) return byId;
  const byName = tx.getByName('services', input);
  return pick('service', input, byName === undefined ? [] : [byName], () => tx.list('services'));
}

/** Nodes are named by their spec name or their hostname. */
export function resolveNode(tx: ReadTx, input: string): Node {
  const byId = tx.get('nodes', input);
  if (byId !== undefined) return byId;
  const nodes = tx.list('nodes');
  const byName = nodes.filter((n) => n.spec.name === input || n.description?.hostname === input);
  return pick('node', input, byName, () => nodes);
}

export function resolveTask(tx: ReadTx, input: string): Task {
  const byId = tx.get('tasks', input);
  if (byId !== undefined) return byId;
  const tasks = tx.list('tasks');
  const byName = tasks.filter((t) => taskName(t) === input);
  return pick('task', input, byName, () => tasks);
}

/** A network by ID, name or unique ID prefix (Docker's "network X not found"). */
export function resolveNetworkId(tx: ReadTx, input: string): string {
  const byId = tx.get('networks', input);
  if (byId !== undefined) return byId.id;
  const byName = tx.getByName('networks', input);
  return pick('network', input, byName === undefined ? [] : [byName], () => tx.list('networks')).id;
}

/**
 * A secret by ID, name or unique ID prefix (dockerd's getSecret). Internal secrets are the
 * system's own: swarmkit lists none of them, so no name or prefix finds one, nor does an ID.
 */
export function resolveSecret(tx: ReadTx, input: string): Secret {
  const visible = (s: Secret | undefined): s is Secret => s !== undefined && !s.internal;
  const byId = tx.get('secrets', input);
  if (visible(byId)) return byId;
  const byName = tx.getByName('secrets', input);
  return pick('secret', input, visible(byName) ? [byName] : [], () =>
    tx.list('secrets').filter((s) => !s.internal),
  );
}

/** A config by ID, name or unique ID prefix (dockerd's getConfig). */
export function resolveConfig(tx: ReadTx, input: string): Config {
  const byId = tx.get('configs', input);
  if (byId !== undefined) return byId;
  const byName = tx.getByName('configs', input);
  return pick('config', input, byName === undefined ? [] : [byName], () => tx.list('configs'));
}

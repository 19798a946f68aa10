// Store changes as Docker's swarm-scoped events (GET /events): Type, Action, Actor with the
// attributes dockerd adds (name; for updates the old and new replicas, image, update state,
// node state, availability and role). Tasks are not event types in Docker: shoal emits them
// only to clients that ask for type=task.

import type { ChangeEvent, Node, Service } from '../../store/index.js';
import type { DockerEvent } from '../../../api/docker/event.js';

export type { DockerEvent };

const ACTIONS = { create: 'create', update: 'update', delete: 'remove' } as const;

function replicas(s: Service): string | undefined {
  return s.spec.mode.kind === 'replicated' ? String(s.spec.mode.replicas) : undefined;
}

function changed(
  attrs: Record<string, string>,
  key: string,
  before: string | undefined,
  after: string | undefined,
): void {
  if (before === after) return;
  if (before !== undefined) attrs[`${key}.old`] = before;
  if (after !== undefined) attrs[`${key}.new`] = after;
}

function nodeName(n: Node): string {
  return n.spec.name ?? n.description?.hostname ?? '';
}

/** The Docker event for one change, or undefined for tables Docker has no events for. */
export function eventFromChange(change: ChangeEvent, at: Date): DockerEvent | undefined {
  const attrs: Record<string, string> = {};
  let type: string;
  switch (change.table) {
    case 'services': {
      type = 'service';
      attrs['name'] = change.object.spec.name;
      if (change.action === 'update') {
        const old = change.oldObject;
        const now = change.object;
        changed(attrs, 'replicas', replicas(old), replicas(now));
        changed(
          attrs,
          'image',
          old.spec.taskTemplate.containerSpec.image,
          now.spec.taskTemplate.containerSpec.image,
        );
        changed(attrs, 'updatestate', old.updateStatus?.state, now.updateStatus?.state);
      }
      break;
    }
    case 'nodes': {
      type = 'node';
      attrs['name'] = nodeName(change.object);
      if (change.action === 'update') {
        const old = change.oldObject;
        const now = change.object;
        changed(attrs, 'state', old.status.state, now.status.state);
        changed(attrs, 'availability', old.spec.availability, now.spec.availability);
        changed(attrs, 'role', old.role, now.role);
      }
      break;
    }
    case 'tasks': {
      type = 'task';
      attrs['service.id'] = change.object.serviceId;
      attrs['state'] = change.object.status.state;
      if (change.object.nodeId !== undefined) attrs['node.id'] = change.object.nodeId;
      break;
    }
    case 'networks':
    case 'secrets':
    case 'configs':
      type = change.table.slice(0, -1);
      attrs['name'] = change.object.spec.name;
      break;
    default:
      return undefined;
  }
  const ms = at.getTime();
  return {
    Type: type,
    Action: ACTIONS[change.action],
    Actor: { ID: change.object.id, Attributes: attrs },
    scope: 'swarm',
    time: Math.floor(ms / 1000),
    timeNano: ms * 1_000_000,
  };
}

// What keeps a network from being removed, as swarmkit's RemoveNetwork checks it: a service
// attached to it, or a task on it that is meant to run and has not stopped (a task already
// being shut down does not hold it); for the ingress network, a service that publishes a port
// through the routing mesh.
//
// A task whose service was removed does not hold the network either, even while it still runs:
// it is on its way out (the task reaper marks it for removal on its next pass, the agent stops
// it). swarmkit's orchestrator marks such tasks one pass after the removal too; counting them in
// that window refused `docker stack rm`'s network removals, which follow its service removals at
// once, with "in use by task". A task of a live service still holds it (the service left the
// network in an update, its old tasks still run on it). So does a network attachment (a container
// started with `docker run --network`), as in Docker.

import { isAttachmentTask, taskStateRank, type Network } from '../../api/objects/index.js';
import type { ReadTx } from '../store/read-tx.js';
import { needsIngress } from './ingress.js';

const RUNNING = taskStateRank('running');

export type NetworkUser =
  | { readonly kind: 'service'; readonly id: string; readonly name: string }
  | { readonly kind: 'task'; readonly id: string };

export function networkUser(tx: Pick<ReadTx, 'list'>, network: Network): NetworkUser | undefined {
  const services = tx.list('services').sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt));
  if (network.spec.ingress) {
    const s = services.find((x) => needsIngress(x.spec));
    return s === undefined ? undefined : { kind: 'service', id: s.id, name: s.spec.name };
  }
  const s = services.find((x) => x.spec.taskTemplate.networks.some((n) => n.target === network.id));
  if (s !== undefined) return { kind: 'service', id: s.id, name: s.spec.name };
  const serviceIds = new Set(services.map((x) => x.id));
  const t = tx
    .list('tasks')
    .find(
      (x) =>
        (serviceIds.has(x.serviceId) || isAttachmentTask(x)) &&
        taskStateRank(x.desiredState) <= RUNNING &&
        taskStateRank(x.status.state) <= RUNNING &&
        (x.networksAttachments.some((a) => a.networkId === network.id) ||
          x.spec.networks.some((n) => n.target === network.id)),
    );
  return t === undefined ? undefined : { kind: 'task', id: t.id };
}

// Allocating a task's network attachments: an address on the ingress network first when its
// service publishes through the routing mesh, then one on each network of its spec (with the
// spec's aliases), as swarmkit's allocator builds Task.Networks. Addresses a task already
// records are kept (a new leader finishing an allocation).

import type { NetworkAttachment, Service, Task } from '../../api/objects/index.js';
import type { AddressRelease, NetworkLookup } from './endpoint-plan.js';
import { needsIngress } from './ingress.js';
import { formatAddress } from '../../api/network/ipv4.js';
import { ownerOfTask, type AllocationLedger } from './ledger.js';

export type TaskPlan =
  | { readonly kind: 'ready'; readonly attachments: NetworkAttachment[] }
  | { readonly kind: 'waiting'; readonly networkId: string };

/** The networks a task attaches to, with their aliases, in attachment order. */
export function taskTargets(
  task: Task,
  service: Service | undefined,
  ingressId: string | undefined,
): { networkId: string; aliases: string[] }[] {
  const out: { networkId: string; aliases: string[] }[] = [];
  if (service !== undefined && ingressId !== undefined && needsIngress(service.spec)) {
    out.push({ networkId: ingressId, aliases: [] });
  }
  for (const n of task.spec.networks) {
    if (!out.some((o) => o.networkId === n.target))
      out.push({ networkId: n.target, aliases: [...n.aliases] });
  }
  return out;
}

export function planTask(
  ledger: AllocationLedger,
  task: Task,
  service: Service | undefined,
  lookup: NetworkLookup,
): TaskPlan {
  const targets = taskTargets(task, service, lookup.ingressId);
  for (const t of targets) {
    if (ledger.network(t.networkId) === undefined && lookup.exists(t.networkId)) {
      return { kind: 'waiting', networkId: t.networkId };
    }
  }
  const owner = ownerOfTask(task.id);
  const made: AddressRelease[] = [];
  try {
    const attachments: NetworkAttachment[] = [];
    for (const t of targets) {
      const entry = ledger.network(t.networkId);
      if (entry === undefined) continue;
      const recorded = task.networksAttachments
        .find((a) => a.networkId === t.networkId)
        ?.addresses.filter((addr) => ledger.reserve(t.networkId, addr, owner));
      let addresses = recorded ?? [];
      if (addresses.length === 0) {
        const addr = formatAddress(entry.pool.allocate(owner), entry.addressing.subnet.prefix);
        made.push({ networkId: t.networkId, address: addr, owner });
        addresses = [addr];
      }
      attachments.push({ networkId: t.networkId, addresses, aliases: t.aliases });
    }
    return { kind: 'ready', attachments };
  } catch (e: unknown) {
    for (const m of made) ledger.release(m.networkId, m.address, m.owner);
    throw e;
  }
}

/** Frees the addresses a task holds (it died or was deleted). */
export function releaseTask(ledger: AllocationLedger, task: Task): number {
  let freed = 0;
  for (const a of task.networksAttachments) {
    for (const address of a.addresses)
      if (ledger.release(a.networkId, address, ownerOfTask(task.id))) freed++;
  }
  return freed;
}

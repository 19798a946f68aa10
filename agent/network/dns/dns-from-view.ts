// From the node's network view (api/network/network-view.ts) to the embedded DNS's records.
// Pure. The ingress network has no service discovery (as in Docker); only healthy tasks are
// named. Task names (`web.1.<task id>`) need the task's slot, which the view does not carry:
// the caller passes `taskNameOf` (from its assignments) to have them answered.

import type { NodeNetworkView } from '../../../api/network/network-view.js';
import type { DnsNetworkRecords, DnsTaskRecord } from './dns-records.js';

export function dnsRecordsFromView(
  view: NodeNetworkView,
  taskNameOf?: (taskId: string) => string | undefined,
): DnsNetworkRecords[] {
  return view.networks
    .filter((n) => !n.ingress)
    .map((n) => {
      const tasks: DnsTaskRecord[] = [];
      const services = n.services.map((s) => {
        const healthy = s.backends.filter((b) => b.healthy);
        for (const b of healthy) {
          const name = taskNameOf?.(b.taskId);
          if (name !== undefined) tasks.push({ name, addr: b.address });
        }
        return {
          name: s.name,
          aliases: s.aliases,
          endpointMode: s.endpointMode,
          ...(s.vip === undefined ? {} : { vip: s.vip }),
          taskAddrs: healthy.map((b) => b.address),
        };
      });
      // Containers outside services (network attachments) answer to their names, as in Docker.
      for (const e of n.endpoints) {
        if (e.kind !== 'task' || e.names === undefined) continue;
        const addr = e.address.split('/')[0] ?? e.address;
        for (const name of e.names) tasks.push({ name, addr });
      }
      return { id: n.networkId, name: n.name, services, tasks };
    });
}

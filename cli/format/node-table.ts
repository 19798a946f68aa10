// `node ls` as the docker CLI prints it: ID (with " *" on the local node), HOSTNAME,
// STATUS, AVAILABILITY, MANAGER STATUS, ENGINE VERSION; sorted by hostname.
import type { DockerNode } from '../client/types.js';
import { naturalCompare } from './natural-order.js';
import { prettyPrint } from './pretty-print.js';
import { alignColumns } from './tabwriter.js';

export function sortNodes(nodes: readonly DockerNode[]): DockerNode[] {
  return [...nodes].sort((a, b) =>
    naturalCompare(a.Description?.Hostname ?? '', b.Description?.Hostname ?? ''),
  );
}

export function managerStatus(node: DockerNode): string {
  if (node.ManagerStatus === undefined) return '';
  return prettyPrint(node.ManagerStatus.Leader === true ? 'Leader' : node.ManagerStatus.Reachability);
}

export function formatNodeTable(nodes: readonly DockerNode[], selfId: string, quiet = false): string {
  const sorted = sortNodes(nodes);
  if (quiet) return sorted.map((n) => `${n.ID}\n`).join('');
  const rows: string[][] = [
    ['ID  ', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS', 'ENGINE VERSION'],
  ];
  for (const n of sorted) {
    rows.push([
      `${n.ID} ${n.ID === selfId ? '*' : ' '}`,
      n.Description?.Hostname ?? '',
      prettyPrint(n.Status.State),
      prettyPrint(n.Spec.Availability),
      managerStatus(n),
      n.Description?.Engine?.EngineVersion ?? '',
    ]);
  }
  return alignColumns(rows);
}

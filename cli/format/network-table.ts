// `network ls` as the docker CLI prints it: NETWORK ID, NAME, DRIVER, SCOPE, sorted by name
// (natural order), IDs cut to 12 characters unless --no-trunc.
import type { NetworkResource } from '../commands/network-client.js';
import { naturalCompare } from './natural-order.js';
import { truncateId } from './pretty-print.js';
import { alignColumns } from './tabwriter.js';

export interface NetworkTableOptions {
  readonly quiet?: boolean;
  readonly trunc?: boolean;
}

export function sortNetworks(networks: readonly NetworkResource[]): NetworkResource[] {
  return [...networks].sort((a, b) => naturalCompare(a.Name, b.Name));
}

export function formatNetworkTable(
  networks: readonly NetworkResource[],
  o: NetworkTableOptions = {},
): string {
  const sorted = sortNetworks(networks);
  const id = (n: NetworkResource): string => (o.trunc === false ? n.Id : truncateId(n.Id));
  if (o.quiet === true) return sorted.map((n) => `${id(n)}\n`).join('');
  const rows: string[][] = [['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE']];
  for (const n of sorted) rows.push([id(n), n.Name, n.Driver, n.Scope]);
  return alignColumns(rows);
}

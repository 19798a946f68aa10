// `shoal version`: docker's layout (tab-aligned with minimum width 20), the client block
// describing the shoal CLI and the server block the daemon's components.
import type { DockerSystemVersion } from '../client/types.js';
import { alignColumns } from './tabwriter.js';

const ALIGN = { minWidth: 20, padding: 1 };
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.ANSIC ("Thu May  7 21:09:36 2026") for an RFC 3339 build time, in UTC. */
export function ansicDate(rfc3339: string): string {
  const t = new Date(rfc3339);
  if (Number.isNaN(t.getTime())) return rfc3339;
  const pad = (n: number): string => String(n).padStart(2, '0');
  const day = String(t.getUTCDate()).padStart(2, ' ');
  return `${DAYS[t.getUTCDay()] ?? ''} ${MONTHS[t.getUTCMonth()] ?? ''} ${day} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} ${t.getUTCFullYear()}`;
}

export interface ClientFacts {
  readonly version: string;
  readonly apiVersion: string;
  readonly nodeVersion: string;
  readonly os: string;
  readonly arch: string;
}

export function formatVersion(client: ClientFacts, server: DockerSystemVersion | undefined): string {
  const rows: string[][] = [
    ['Client:'],
    [' Version:', client.version],
    [' API version:', client.apiVersion],
    [' Node.js version:', client.nodeVersion],
    [' OS/Arch:', `${client.os}/${client.arch}`],
  ];
  if (server !== undefined) {
    rows.push([''], [`Server:${server.Platform?.Name ? ` ${server.Platform.Name}` : ''}`]);
    for (const c of server.Components ?? []) {
      rows.push([` ${c.Name}:`]);
      const d = c.Details ?? {};
      if (c.Name === 'Engine') {
        rows.push(['  Version:', c.Version]);
        rows.push([
          '  API version:',
          `${d['ApiVersion'] ?? ''} (minimum version ${d['MinAPIVersion'] ?? ''})`,
        ]);
        if ((d['GoVersion'] ?? '') !== '') rows.push(['  Go version:', d['GoVersion'] ?? '']);
        if ((d['GitCommit'] ?? '') !== '') rows.push(['  Git commit:', d['GitCommit'] ?? '']);
        if ((d['BuildTime'] ?? '') !== '') rows.push(['  Built:', ansicDate(d['BuildTime'] ?? '')]);
        rows.push(['  OS/Arch:', `${d['Os'] ?? ''}/${d['Arch'] ?? ''}`]);
        rows.push(['  Experimental:', d['Experimental'] ?? 'false']);
      } else {
        rows.push(['  Version:', c.Version]);
        for (const key of Object.keys(d).sort()) rows.push([`  ${key}:`, d[key] ?? '']);
      }
    }
  }
  return alignColumns(rows, ALIGN);
}

// `service ls` as the docker CLI prints it: ID NAME MODE REPLICAS IMAGE PORTS, sorted by name.
import type { DockerService } from '../client/types.js';
import { displayImage } from './image-ref.js';
import { naturalCompare } from './natural-order.js';
import { truncateId } from './pretty-print.js';
import { formatServicePorts } from './service-ports.js';
import { alignColumns } from './tabwriter.js';

export function serviceMode(s: DockerService): string {
  const m = s.Spec.Mode ?? {};
  if (m.Global !== undefined) return 'global';
  if (m.Replicated !== undefined) return 'replicated';
  if (m.ReplicatedJob !== undefined) return 'replicated job';
  if (m.GlobalJob !== undefined) return 'global job';
  return '';
}

export function serviceReplicas(s: DockerService): string {
  const running = s.ServiceStatus?.RunningTasks ?? 0;
  const desired = s.ServiceStatus?.DesiredTasks ?? 0;
  const completed = s.ServiceStatus?.CompletedTasks ?? 0;
  const m = s.Spec.Mode ?? {};
  if (m.ReplicatedJob !== undefined) {
    return `${running}/${desired} (${completed}/${m.ReplicatedJob.TotalCompletions ?? 0} completed)`;
  }
  if (m.GlobalJob !== undefined) {
    return `${running}/${desired} (${completed}/${desired + completed} completed)`;
  }
  const max = m.Replicated !== undefined ? (s.Spec.TaskTemplate?.Placement?.MaxReplicas ?? 0) : 0;
  if (max > 0) return `${running}/${desired} (max ${max} per node)`;
  return `${running}/${desired}`;
}

export function sortServices(services: readonly DockerService[]): DockerService[] {
  return [...services].sort((a, b) => naturalCompare(a.Spec.Name ?? '', b.Spec.Name ?? ''));
}

export function formatServiceTable(services: readonly DockerService[], quiet = false): string {
  if (quiet)
    return sortServices(services)
      .map((s) => `${truncateId(s.ID)}\n`)
      .join('');
  const rows: string[][] = [['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS']];
  for (const s of sortServices(services)) {
    rows.push([
      truncateId(s.ID),
      s.Spec.Name ?? '',
      serviceMode(s),
      serviceReplicas(s),
      displayImage(s.Spec.TaskTemplate?.ContainerSpec?.Image ?? ''),
      formatServicePorts(s.Endpoint?.Ports),
    ]);
  }
  return alignColumns(rows);
}

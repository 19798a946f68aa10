// `service ps` / `node ps` as the docker CLI prints them: ID NAME IMAGE NODE DESIRED STATE
// CURRENT STATE ERROR PORTS. Tasks of one slot are grouped, newest first, and the older ones
// are indented with " \_ ".
import type { DockerTask } from '../client/types.js';
import { displayImage } from './image-ref.js';
import { naturalCompare } from './natural-order.js';
import { ellipsis, prettyPrint, truncateId } from './pretty-print.js';
import { sinceText } from './human-duration.js';
import { formatTaskPorts } from './service-ports.js';
import { alignColumns } from './tabwriter.js';

const MAX_ERROR_LENGTH = 30;

export interface TaskTableOptions {
  /** Service ID -> name; a missing entry shows the ID. */
  readonly serviceNames: ReadonlyMap<string, string>;
  /** Node ID -> hostname; a missing entry shows the ID. */
  readonly nodeNames: ReadonlyMap<string, string>;
  readonly nowMs: number;
  readonly trunc: boolean;
  readonly quiet: boolean;
}

export function taskName(task: DockerTask, serviceNames: ReadonlyMap<string, string>): string {
  const service = serviceNames.get(task.ServiceID) ?? task.ServiceID;
  const slot = task.Slot ?? 0;
  return slot !== 0 ? `${service}.${slot}` : `${service}.${task.NodeID ?? ''}`;
}

/** Sorted as the docker CLI sorts: by name (natural order), then newest first (stable). */
export function sortTasks(
  tasks: readonly DockerTask[],
  serviceNames: ReadonlyMap<string, string>,
): DockerTask[] {
  return tasks
    .map((t, i) => ({ t, i, name: taskName(t, serviceNames), created: Date.parse(t.CreatedAt) }))
    .sort((a, b) => {
      const byName = naturalCompare(a.name, b.name);
      if (byName !== 0) return byName;
      if (b.created !== a.created) return b.created > a.created ? 1 : -1;
      return a.i - b.i;
    })
    .map((x) => x.t);
}

export function taskError(task: DockerTask, trunc: boolean): string {
  let err = task.Status.Err ?? '';
  if (trunc) err = ellipsis(err, MAX_ERROR_LENGTH);
  return err === '' ? '' : `"${err}"`;
}

export function formatTaskTable(tasks: readonly DockerTask[], options: TaskTableOptions): string {
  const sorted = sortTasks(tasks, options.serviceNames);
  if (options.quiet) {
    return sorted.map((t) => `${options.trunc ? truncateId(t.ID) : t.ID}\n`).join('');
  }
  const rows: string[][] = [
    ['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS'],
  ];
  let previous = '';
  for (const t of sorted) {
    const name = taskName(t, options.serviceNames);
    const shownName = name === previous ? ` \\_ ${name}` : name;
    previous = name;
    const nodeId = t.NodeID ?? '';
    const image = t.Spec.ContainerSpec?.Image ?? '';
    rows.push([
      options.trunc ? truncateId(t.ID) : t.ID,
      shownName,
      options.trunc ? displayImage(image) : image,
      nodeId === '' ? '' : (options.nodeNames.get(nodeId) ?? nodeId),
      prettyPrint(t.DesiredState),
      `${prettyPrint(t.Status.State)} ${sinceText(t.Status.Timestamp, options.nowMs)} ago`,
      taskError(t, options.trunc),
      formatTaskPorts(t.Status.PortStatus?.Ports),
    ]);
  }
  return alignColumns(rows);
}
